/**
 * Bad input through the real binary, no test hosts: a misspelled plugin option (in the config, in an
 * env overlay's options or in an inventory var), a config or a playbook that throws — each is exit 4 naming the file and line (or the
 * var), found while planning, before any host is logged in to (the inventory's one host is localhost).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../bin/run.js');
const fixtures = join(import.meta.dirname, 'fixtures');
const run = (cwd: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
    execFile('node', [bin, ...args], { cwd, env: { ...process.env, CI: 'true' } }, (err, stdout, stderr) =>
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));

const made: string[] = [];
test.after.always(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project with this runbook.config.ts (lines joined) and an inventory of localhost with these vars. */
function project(config: string[], vars = '{}') {
  const dir = mkdtempSync(join(tmpdir(), 'rb-bad-input-'));
  made.push(dir);
  writeFileSync(join(dir, 'package.json'), '{"name":"p","type":"module"}');
  // the repo's packages, as a project's own node_modules would hold them
  symlinkSync(resolve(import.meta.dirname, '../../../node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'inventories'));
  writeFileSync(join(dir, 'inventories/local.yml'), `hosts:\n  localhost: { hostname: localhost, become: false, vars: ${vars} }\n`);
  writeFileSync(join(dir, 'runbook.config.ts'), config.join('\n') + '\n');
  return dir;
}

const imports = [
  "import { defineConfig } from '@runbook/core';",
  "import { app } from '@runbook/app';",
  "import { celery } from '@runbook/celery';",
  "import { gunicorn } from '@runbook/gunicorn';",
  "import { nginx } from '@runbook/nginx';",
];
const shop = "app({ name: 'shop', source: { upload: { path: '.' } }, wsgi: 'shop.wsgi:application' })";
/** a config whose 8th line is `line` */
const configWith = (line: string) => [...imports, 'export default defineConfig({', '  secrets: false,', `  plugins: [${line}],`, '});'];

const options: [string, string, RegExp][] = [
  ['app: a misspelled top-level key', "app({ name: 'shop', source: { upload: { path: '.' } }, wgsi: 'shop.wsgi:application' })",
    /app: unknown option "wgsi"; did you mean "wsgi"\? allowed: on, name, user, root, source, wsgi, /],
  ['app: a key of healthCheck', `app({ name: 'shop', source: { upload: { path: '.' } }, healthCheck: { pth: '/healthz' } })`,
    /app: unknown option "healthCheck\.pth"; did you mean "healthCheck\.path"\? allowed: path, url, host, retries/],
  ['app: a key of source.git', `app({ name: 'shop', source: { git: { repo: 'https://x/shop.git', branch: 'main' } } })`,
    /app: unknown option "source\.git\.branch"; allowed: repo, ref/],
  ['gunicorn', `${shop}, gunicorn({ wokers: 4 })`, /gunicorn: unknown option "wokers"; did you mean "workers"\?/],
  ['nginx', `${shop}, gunicorn(), nginx({ serverName: ['shop.example.com'] })`, /nginx: unknown option "serverName"; did you mean "serverNames"\?/],
  ['celery: a key of beat', `${shop}, celery({ beat: { shedule: '/srv/beat' } })`, /celery: unknown option "beat\.shedule"; did you mean "beat\.schedule"\?/],
];
for (const [name, line, message] of options) {
  test(`an unknown plugin option in the config is exit 4 at its line: ${name}`, async (t) => {
    const r = await run(project(configWith(line)), ['configure', '--env', 'local']);
    t.is(r.code, 4, r.stdout + r.stderr);
    t.regex(r.stderr, /^run: error: runbook\.config\.ts:8: /);
    t.regex(r.stderr, message);
    t.is(r.stdout, '', 'nothing ran');
  });
}

test('a misspelled option in an inventory var reaches the plugin the same way: exit 4 naming the inventory line, the var and the host', async (t) => {
  const dir = project(configWith(`${shop}, gunicorn()`), '{ gunicorn: { wokers: 5 } }');
  const r = await run(dir, ['configure', '--env', 'local']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.true(r.stderr.startsWith(`run: error: ${dir}/inventories/local.yml:2: hosts.localhost.vars.gunicorn: host localhost: gunicorn: unknown option "wokers"; did you mean "workers"?`), r.stderr);
  t.is(r.stdout, '');
});

test('a misspelled option in a group var: the group\'s line, though the host\'s own var for the plugin is right', async (t) => {
  const dir = project(configWith(`${shop}, gunicorn()`));
  writeFileSync(join(dir, 'inventories/local.yml'), [
    'groups:',
    '  web:',
    '    vars:',
    '      gunicorn: { timeuot: 30 }',
    'hosts:',
    '  localhost: { hostname: localhost, become: false, groups: [web], vars: { gunicorn: { workers: 2 } } }',
    '',
  ].join('\n'));
  const r = await run(dir, ['configure', '--env', 'local']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.true(r.stderr.startsWith(`run: error: ${dir}/inventories/local.yml:4: groups.web.vars.gunicorn: host localhost: gunicorn: unknown option "timeuot"; did you mean "timeout"?`), r.stderr);
  t.is(r.stdout, '');
});

test('a misspelled option in an env overlay: exit 4 naming the config file, the full key and the closest option', async (t) => {
  const config = [...imports, 'export default defineConfig({', '  secrets: false,', `  plugins: [${shop}, gunicorn()],`,
    '  envs: { local: { options: { gunicorn: { wrokers: 5 } } } },', '});'];
  const r = await run(project(config), ['configure', '--env', 'local']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.regex(r.stderr, /runbook\.config\.ts: envs\.local\.options\.gunicorn\.wrokers: gunicorn: unknown option "wrokers"; did you mean "workers"\?/);
  t.is(r.stdout, '', 'nothing ran');
  const other = await run(project(config.map((l) => l.replace('gunicorn: {', 'gunicron: {'))), ['configure', '--env', 'local']);
  t.is(other.code, 4);
  t.regex(other.stderr, /envs\.local\.options\.gunicron: "gunicron" is no plugin of this env's config; did you mean "gunicorn"\?/);
});

test('a runbook.config.ts whose top level throws: exit 4, E_CONFIG at the line of the throw', async (t) => {
  const dir = project([
    "import { defineConfig } from '@runbook/core';",
    'const region = process.env.RB_TEST_NO_SUCH_REGION;',
    "if (!region) throw new Error('RB_TEST_NO_SUCH_REGION is not set');",
    'export default defineConfig({ secrets: false, vars: { region } });',
  ]);
  const r = await run(dir, ['configure', '--env', 'local']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.is(r.stderr, 'run: error: runbook.config.ts:3: cannot load config: RB_TEST_NO_SUCH_REGION is not set\n');
});

test('a playbook whose tasks throw: exit 4 naming the playbook file, line, phase and host', async (t) => {
  const r = await run(project(configWith('')), [join(fixtures, 'throwing-tasks.ts'), '--env', 'local']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.is(r.stderr, `run: error: ${join(fixtures, 'throwing-tasks.ts')}:11: playbook throwing-tasks, phase "dirs", host localhost: host localhost has no dataDir var\n`);
  t.is(r.stdout, '');
});

test('a playbook whose phases function throws: exit 4 at the line of the throw', async (t) => {
  const r = await run(project(configWith('')), [join(fixtures, 'throwing-phases.ts'), '--env', 'local']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.is(r.stderr, `run: error: ${join(fixtures, 'throwing-phases.ts')}:8: playbook throwing-phases, phases: set vars.region in runbook.config.ts\n`);
});
