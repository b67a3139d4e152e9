/**
 * What the project's own code throws (config, playbook) is bad input naming its file and line; what
 * Runbook's own code throws stays an internal error. The user's modules are written to a temp dir:
 * outside Runbook's packages, as a project's files are.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from './config.js';
import { errors, RunbookError } from './errors.js';
import { loadPlaybook } from './load-playbook.js';
import type { Playbook } from './playbook.js';
import { planPhases } from './runner.js';
import { stackFrames, thrownAt } from './user-code-error.js';

const made: string[] = [];
const project = () => {
  made.push(mkdtempSync(join(tmpdir(), 'rb-user-code-')));
  return made.at(-1)!;
};
test.after.always(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const host = { alias: 'web-1', hostname: 'web-1', user: 'root', groups: [], vars: {}, env: 'test' };
const config = { root: '/', inventoryDir: '/', playbookDir: '/', knownHosts: '/k', secretsDir: '/s', vars: {}, plugins: [] };
const plan = (playbook: Playbook) => planPhases({ playbook, context: { env: 'test', config }, hosts: [host] });

/** A playbook module of the user's: `(fail) => playbook`, so a test decides what its code throws. */
async function userPlaybook(source: string): Promise<{ file: string; make: (fail: () => never) => Playbook }> {
  const file = join(project(), 'play.mjs');
  writeFileSync(file, source);
  return { file, make: (await import(pathToFileURL(file).href)).default };
}

test('stackFrames: paths and file URLs with their lines, innermost first; frames without a file are skipped', (t) => {
  const stack = [
    'Error: boom',
    '    at tasks (/srv/p/playbooks/boom.ts:4:50)',
    '    at Array.map (<anonymous>)',
    '    at file:///srv/p/runbook.config.ts:3:7',
    '    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)',
    '    at async planPhases (/srv/p/node_modules/@runbook/core/dist/runner.js:91:20)',
  ].join('\n');
  t.deepEqual(stackFrames(stack), [
    { file: '/srv/p/playbooks/boom.ts', line: 4 },
    { file: '/srv/p/runbook.config.ts', line: 3 },
    { file: 'node:internal/modules/esm/module_job', line: 234 },
    { file: '/srv/p/node_modules/@runbook/core/dist/runner.js', line: 91 },
  ]);
});

test('stackFrames: the temporary copy a module was imported through names the module', (t) => {
  const dir = project();
  writeFileSync(join(dir, 'runbook.config.ts'), '');
  t.deepEqual(stackFrames(`Error: x\n    at ${join(dir, '.runbook.config.4242.1.mts')}:5:3`), [{ file: join(dir, 'runbook.config.ts'), line: 5 }]);
});

test('thrownAt: the innermost frame of user code, not node_modules nor Node itself', (t) => {
  const e = new Error('boom');
  e.stack = 'Error: boom\n    at x (/srv/p/node_modules/lib/index.js:1:1)\n    at y (node:internal/x:2:2)\n    at tasks (/srv/p/playbooks/boom.ts:9:1)';
  t.deepEqual(thrownAt(e), { file: '/srv/p/playbooks/boom.ts', line: 9 });
  t.is(thrownAt('a string has no stack'), undefined);
});

test('a playbook whose tasks throw: E_PLAYBOOK (exit 4) naming its file, line, phase and host', async (t) => {
  const { file, make } = await userPlaybook([
    'export default () => ({',
    "  name: 'boom',",
    "  phases: [{ name: 'dirs', tasks: (host) => { throw new Error(`no dir for ${host.alias}`); } }],",
    '});',
  ].join('\n'));
  const e = await t.throwsAsync(plan(make(() => { throw new Error('unused'); })), { instanceOf: RunbookError });
  t.is(e?.code, 'E_PLAYBOOK');
  t.true(e?.isBadInput);
  t.is(e?.message, 'playbook boom, phase "dirs", host web-1: no dir for web-1');
  t.like(e?.details, { file, line: 3, host: 'web-1' });
  t.is(e?.toString(), `${file}:3: playbook boom, phase "dirs", host web-1: no dir for web-1`);
});

test('a playbook whose phases function throws (after an await): E_PLAYBOOK naming its line', async (t) => {
  const { file, make } = await userPlaybook([
    "export default () => ({ name: 'p', phases: async (ctx) => {",
    '  await null;',
    "  throw new TypeError(`no region in ${ctx.env}`);",
    '} });',
  ].join('\n'));
  const e = await t.throwsAsync(plan(make(() => { throw new Error('unused'); })), { instanceOf: RunbookError });
  t.is(e?.message, 'playbook p, phases: no region in test');
  t.like(e?.details, { file, line: 3 });
});

test('Runbook code that throws, called by the playbook: the playbook\'s line; bad input already said stays as it was', async (t) => {
  const { file, make } = await userPlaybook([
    'export default (fail) => ({',
    "  name: 'p',",
    "  phases: [{ name: 'x', tasks: () => [fail()] }],",
    '});',
  ].join('\n'));
  const bad = await t.throwsAsync(plan(make(() => { throw errors.options('file.directory: path must be absolute', { key: 'path' }); })));
  t.like(bad, { code: 'E_OPTIONS', message: 'file.directory: path must be absolute' });
  t.deepEqual((bad as RunbookError).details, { key: 'path' });
  const bug = await t.throwsAsync(plan(make(() => { throw new TypeError("Cannot read properties of undefined (reading 'path')"); })));
  t.like(bug, { code: 'E_PLAYBOOK', message: "playbook p, phase \"x\", host web-1: Cannot read properties of undefined (reading 'path')", details: { file, line: 3 } });
});

test('a throw from Runbook\'s own code alone (a built-in playbook) stays an internal error', async (t) => {
  const builtIn: Playbook = { name: 'configure', phases: [{ name: 'x', tasks: () => { throw new Error('a bug'); } }] };
  const e = await t.throwsAsync(plan(builtIn));
  t.false(e instanceof RunbookError);
  t.is(e?.message, 'a bug');
});

test('a playbook whose top level throws: E_PLAYBOOK naming the line', async (t) => {
  const dir = project();
  writeFileSync(join(dir, 'top.ts'), "const region: string = process.env.RB_NO_SUCH_VAR ?? '';\nif (!region) throw new Error('RB_NO_SUCH_VAR is not set');\nexport default { name: 'top', phases: [] };\n");
  const e = await t.throwsAsync(loadPlaybook('top', dir, dir), { instanceOf: RunbookError });
  t.like(e, { code: 'E_PLAYBOOK', message: 'cannot load playbook: RB_NO_SUCH_VAR is not set', details: { file: join(dir, 'top.ts'), line: 2 } });
});

test('a runbook.config.ts whose top level throws: E_CONFIG naming the file and line', async (t) => {
  const cwd = project();
  writeFileSync(join(cwd, 'runbook.config.ts'), "type Vars = Record<string, string>;\nconst vars: Vars = {};\nif (!vars.region) throw new Error('no region');\nexport default { vars };\n");
  const e = await t.throwsAsync(loadConfig({ cwd, env: 'dev' }), { instanceOf: RunbookError });
  t.like(e, { code: 'E_CONFIG', message: 'cannot load config: no region', details: { file: join(cwd, 'runbook.config.ts'), line: 3 } });
});

test('a config whose plugin refuses its options: that error (E_OPTIONS), at the config\'s line', async (t) => {
  const cwd = project();
  const g = globalThis as { rbTestPlugin?: () => never };
  g.rbTestPlugin = () => { throw errors.options('app: unknown option "wgsi"; did you mean "wsgi"?', { plugin: 'app', key: 'wgsi' }); };
  writeFileSync(join(cwd, 'runbook.config.mjs'), 'export default {\n  plugins: [\n    globalThis.rbTestPlugin(),\n  ],\n};\n');
  const e = await t.throwsAsync(loadConfig({ cwd, env: 'dev' }), { instanceOf: RunbookError });
  t.like(e, { code: 'E_OPTIONS', message: 'app: unknown option "wgsi"; did you mean "wsgi"?', details: { key: 'wgsi', file: join(cwd, 'runbook.config.mjs'), line: 3 } });
});
