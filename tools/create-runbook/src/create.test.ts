import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownVersion } from './create.js';
import { project, runCreate } from '../test/helpers/project.js';

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

test('without a terminal and without --yes, every open question is one error naming its flag; nothing is written', async (t) => {
  const dir = project('django-notes');
  const r = await runCreate(dir, ['--ssh-config', 'ssh_config']);
  t.is(r.code, 4);
  t.regex(r.stderr, /stdin is not a terminal/);
  t.regex(r.stderr, /--name NAME \(default: notes\)/);
  t.regex(r.stderr, /--envs ENV,ENV \(default: prod\)/);
  t.regex(r.stderr, /--hosts prod=ALIAS,ALIAS \(default: prod-web-1,prod-web-2\)/);
  t.false(existsSync(join(dir, 'runbook.config.ts')));
});

test('--yes takes the defaults: the env\'s hosts are the aliases naming it; every file is written and named', async (t) => {
  const dir = project('django-notes');
  const r = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config']);
  t.is(r.code, 0, r.stderr);
  for (const f of ['runbook.config.ts', 'inventories/prod.yml', 'secrets/prod.env', 'Makefile', 'package.json']) t.regex(r.stdout, new RegExp(`wrote +${f}`));
  // the ssh config of the project, relative to the inventory: the repository stays portable
  t.regex(read(dir, 'inventories/prod.yml'), /^sshConfig: \.\.\/ssh_config$/m);
  t.regex(read(dir, 'inventories/prod.yml'), /hosts:\n {2}prod-web-1: \{\}\n {2}prod-web-2: \{\}\n/);
  t.deepEqual(r.npm, [['install', '--no-audit', '--no-fund']]);
  const pkg = JSON.parse(read(dir, 'package.json'));
  t.is(pkg.devDependencies['@runbook/cli'], ownVersion());
  t.is(pkg.devDependencies['@runbook/app'], ownVersion());
});

test('--yes with an env no alias names: the error names --hosts for that env', async (t) => {
  const dir = project('django-notes');
  const r = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config', '--envs', 'qa']);
  t.is(r.code, 4);
  t.regex(r.stderr, /these have no default/);
  t.regex(r.stderr, /--hosts qa=ALIAS,ALIAS/);
});

test('--hosts naming an alias the ssh config lacks: an error naming the flag, the alias and the ones there are', async (t) => {
  const dir = project('django-notes');
  const r = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config', '--hosts', 'prod=prod-web-9']);
  t.is(r.code, 4);
  t.regex(r.stderr, /--hosts "prod=prod-web-9"|--hosts "prod-web-9"/);
  t.regex(r.stderr, /not a Host of .*ssh_config: prod-web-9 \(its aliases: prod-web-1, prod-web-2, stg-1\)/);
});

test('the generated SECRET_KEY is in the 0600 secrets file and in no output; .gitignore keeps it out of git', async (t) => {
  const dir = project('django-notes');
  const r = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config', '--envs', 'prod,stg', '--hosts', 'prod=prod-web-1', '--hosts', 'stg=stg-1', '--no-install']);
  t.is(r.code, 0, r.stderr);
  const key = /^SECRET_KEY=(\w+)$/m.exec(read(dir, 'secrets/prod.env'))![1];
  t.is(key.length, 50);
  t.not(key, /^SECRET_KEY=(\w+)$/m.exec(read(dir, 'secrets/stg.env'))![1]);
  t.false(r.stdout.includes(key) || r.stderr.includes(key));
  t.is(statSync(join(dir, 'secrets/prod.env')).mode & 0o777, 0o600);
  t.regex(read(dir, '.gitignore'), /^secrets\/\*\.env$/m);
  t.deepEqual(r.npm, []);
  t.regex(r.stdout, /skipped npm install \(--no-install\)/);
});

test('existing files are kept without --force and replaced with it; an existing .gitignore and package.json grow', async (t) => {
  const dir = project('django-notes');
  writeFileSync(join(dir, 'Makefile'), 'test:\n\tpytest\n');
  writeFileSync(join(dir, '.gitignore'), '*.pyc\nnode_modules/');
  writeFileSync(join(dir, 'package.json'), '{"name":"frontend"}\n');
  const r = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /kept +Makefile \(it exists; --force replaces it\)/);
  t.is(read(dir, 'Makefile'), 'test:\n\tpytest\n');
  t.is(read(dir, '.gitignore'), '*.pyc\nnode_modules/\n\n# Runbook: secrets in plain text, installed packages, run logs\n.runbook/\nsecrets/*.env\n');
  // npm adds the packages to the team's package.json
  t.deepEqual(r.npm[0].slice(0, 3), ['install', '--save-dev', '--save-exact']);
  t.true(r.npm[0].includes(`@runbook/cli@${ownVersion()}`));
  const again = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config', '--force']);
  t.regex(again.stdout, /replaced Makefile/);
  t.regex(read(dir, 'Makefile'), /npx --no-install run/);
  t.is(read(dir, '.gitignore').match(/secrets\/\*\.env/g)!.length, 1);
});

test('a new directory (--dir): framework, name and WSGI app from flags; --ssh-config relative to where it was started; upload of a directory that is not yet a git checkout says what to do', async (t) => {
  const cwd = project();
  const r = await runCreate(cwd, ['--dir', 'hooks', '--framework', 'flask', '--name', 'hooks', '--wsgi', 'hooks.wsgi:app', '--envs', 'stg', '--hosts', 'stg-1', '--ssh-config', 'ssh_config', '--no-install']);
  t.is(r.code, 0, r.stderr);
  const dir = join(cwd, 'hooks');
  t.is(read(dir, 'inventories/stg.yml').match(/^sshConfig: (.*)$/m)![1], join(cwd, 'ssh_config'));
  t.regex(read(dir, 'runbook.config.ts'), /wsgi: 'hooks\.wsgi:app'/);
  t.regex(r.stdout, /note: not a git checkout: .*git init/);
  t.regex(r.stdout, /next:\n  git init && git add -A && git commit/);
});

test('a Flask factory: the wsgi.py that calls it is written, named, and to be committed before a deploy', async (t) => {
  const dir = project('flask-factory');
  execFileSync('git', ['init', '-q'], { cwd: dir });
  const r = await runCreate(dir, ['--yes', '--ssh-config', 'ssh_config', '--hosts', 'prod=prod-web-1', '--no-install']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /wrote +wsgi\.py/);
  t.regex(r.stdout, /next:\n  git add wsgi\.py && git commit/);
  t.regex(read(dir, 'wsgi.py'), /app = create_app\(\)/);
  t.regex(read(dir, 'secrets/prod.env'), /^FLASK_SECRET_KEY=\w{50}$/m);
  t.regex(read(dir, 'secrets/prod.env'), /^DATABASE_URL=$/m);
  t.regex(read(dir, 'secrets/prod.env'), /^MAIL_API_TOKEN=$/m);
});

test('bad flags: exit 4 with the usage', async (t) => {
  const r = await runCreate(project(), ['--envs']);
  t.is(r.code, 4);
  t.regex(r.stderr, /--envs/);
  t.regex(r.stderr, /npm create runbook@latest/);
});
