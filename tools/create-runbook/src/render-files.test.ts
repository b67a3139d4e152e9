import test from 'ava';
import type { ProjectPlan } from './plan.js';
import { gitignoreAddition, renderInventory, renderMakefile, renderSecrets } from './render-files.js';

const plan: ProjectPlan = {
  name: 'shop', framework: 'django', wsgi: 'shop.wsgi:application', source: { upload: { path: '.' } }, packages: ['python3-venv'],
  healthPath: '/', collectstatic: false, requiredSecrets: ['SECRET_KEY'], env: {}, hosts: { prod: ['web-1', 'web 2'], stg: ['stg-1'] },
  sshConfig: '~/.ssh/config', secretKeys: { generated: ['SECRET_KEY'], empty: ['SENTRY_DSN'], plain: ['DEBUG'] }, version: '0.1.0', notes: [],
};

test('inventory: the ssh config and the env\'s aliases (quoted when YAML needs it)', (t) => {
  t.is(renderInventory(plan, 'prod').split('\n').slice(2).join('\n'), 'sshConfig: ~/.ssh/config\nhosts:\n  web-1: {}\n  "web 2": {}\n');
});

test('secrets: generated keys with their value, secret keys to fill in, plain keys commented out', (t) => {
  const text = renderSecrets(plan, 'prod', () => 'generated-value');
  t.regex(text, /^SECRET_KEY=generated-value\nSENTRY_DSN=\n# read by the app, not secret.*\n# DEBUG=\n$/m);
  t.regex(text, /run vault encrypt prod/);
});

test('Makefile: npx --no-install run per target, ENV required', (t) => {
  const text = renderMakefile(plan);
  t.regex(text, /^configure deploy: need-env\n\t\$\(RUN\) \$@ --env \$\(ENV\) \$\(ARGS\)$/m);
  t.regex(text, /^RUN := npx --no-install run$/m);
  t.regex(text, /ENV is required: .*\(envs: prod stg\)/);
});

test('.gitignore: only the missing lines, after a blank line; nothing when all are there', (t) => {
  t.is(gitignoreAddition(''), '# Runbook: secrets in plain text, installed packages, run logs\nnode_modules/\n.runbook/\nsecrets/*.env\n');
  t.is(gitignoreAddition('x\n'), '\n# Runbook: secrets in plain text, installed packages, run logs\nnode_modules/\n.runbook/\nsecrets/*.env\n');
  t.is(gitignoreAddition('node_modules/\n.runbook/\nsecrets/*.env\n'), undefined);
});
