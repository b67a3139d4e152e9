import test from 'ava';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, loadInventory, loadSecrets, requireSecrets } from '@runbook/core';
import { renderConfig } from './render-config.js';
import type { ProjectPlan } from './plan.js';
import { project, runCreate } from '../test/helpers/project.js';

const repoModules = resolve(import.meta.dirname, '../../../node_modules');

/** A generated project, with the repo's node_modules so its config's imports resolve. */
async function generated(fixtureName: string, argv: string[]) {
  const dir = project(fixtureName);
  const r = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config', '--no-install', ...argv]);
  if (r.code !== 0) throw new Error(r.stderr);
  symlinkSync(repoModules, join(dir, 'node_modules'));
  return dir;
}

test('the Django project\'s generated config passes Runbook\'s own validation: config, inventory, secrets', async (t) => {
  const dir = await generated('django-notes', ['--hosts', 'prod=prod-web-1,prod-web-2']);
  const config = await loadConfig({ cwd: dir, env: 'prod' });
  t.deepEqual(config.plugins.map((p) => p.name), ['app', 'gunicorn', 'nginx']);
  const inventory = await loadInventory({ dir: config.inventoryDir, env: 'prod', home: dir });
  t.deepEqual(inventory.hosts.map((h) => [h.alias, h.hostname, h.user]), [['prod-web-1', '10.0.0.11', 'deploy'], ['prod-web-2', 'prod-web-2', 'deploy']]);
  const secrets = await loadSecrets(config, 'prod');
  t.notThrows(() => requireSecrets({ env: 'prod', config, secrets }, ['SECRET_KEY'], 'app'));
  const text = readFileSync(join(dir, 'runbook.config.ts'), 'utf8');
  t.regex(text, /wsgi: 'notes\.wsgi:application'/);
  t.regex(text, /source: \{ upload: \{ path: '\.' \} \}/);
  t.regex(text, /requiredSecrets: \['SECRET_KEY'\]/);
  // the hosts' names, so Django answers the requests nginx passes on and the health check
  t.regex(text, /env: \{ ALLOWED_HOSTS: '10\.0\.0\.11,prod-web-2,localhost,127\.0\.0\.1' \}/);
  t.regex(text, /healthCheck: \{ path: '\/' \}/);
  t.notRegex(text, /collectstatic/);
});

test('the Flask factory\'s generated config passes validation too (git source, alembic migrations)', async (t) => {
  const dir = await generated('flask-factory', ['--hosts', 'prod=prod-web-1', '--git', 'git@github.com:acme/hooks.git', '--ref', 'release']);
  const config = await loadConfig({ cwd: dir, env: 'prod' });
  t.deepEqual(config.plugins.map((p) => p.name), ['app', 'gunicorn', 'nginx']);
  const text = readFileSync(join(dir, 'runbook.config.ts'), 'utf8');
  t.regex(text, /source: \{ git: \{ repo: 'git@github\.com:acme\/hooks\.git', ref: 'release' \} \}/);
  t.regex(text, /migrate: \['python', '-m', 'alembic', 'upgrade', 'head'\]/);
  t.regex(text, /collectstatic: false/);
  t.regex(text, /requiredSecrets: \['FLASK_SECRET_KEY'\]/);
});

test('the validation the generated config goes through is real: a bad value in it is refused, naming the key', async (t) => {
  const dir = await generated('django-notes', []);
  const file = join(dir, 'runbook.config.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace("wsgi: 'notes.wsgi:application'", "wsgi: 'notes wsgi'"));
  const e = await t.throwsAsync(loadConfig({ cwd: dir, env: 'prod' }));
  t.regex(e!.message, /wsgi/);
});

const plan: ProjectPlan = {
  name: 'shop', framework: 'django', asgi: 'shop.asgi:application', source: { upload: { path: '.' } }, packages: ['python3-venv', 'python3-django'],
  healthPath: '/health/', collectstatic: true, requiredSecrets: [], env: {}, hosts: { prod: ['web-1'] }, sshConfig: '~/.ssh/config',
  secretKeys: { generated: [], empty: [], plain: [] }, version: '1.2.3', notes: [],
};

test('rendering: an ASGI app gets gunicorn with uvicorn workers; defaults are left out', (t) => {
  const text = renderConfig(plan);
  t.regex(text, /asgi: 'shop\.asgi:application',/);
  t.regex(text, /gunicorn\(\{ asgi: true \}\)/);
  t.notRegex(text, /healthCheck|collectstatic|requiredSecrets|env:/);
  t.regex(text, /create-runbook 1\.2\.3/);
});

test('rendering: quotes in values cannot break out of the string', (t) => {
  const text = renderConfig({ ...plan, env: { ALLOWED_HOSTS: "a',b" } });
  t.regex(text, /ALLOWED_HOSTS: 'a\\',b'/);
});
