import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from './config.js';
import { loadInventory } from './inventory/load-inventory.js';
import { checkEnvOptions } from './env-options.js';
import type { RunbookError } from './errors.js';
import { checkOptionKeys, optionKeys } from './option-keys.js';
import { definePlugin, placeable, type PlacementOptions, type Plugin } from './plugin.js';

interface ServerOptions extends PlacementOptions { workers?: number; bind?: string }
const KEYS = optionKeys<ServerOptions>({ on: true, workers: true, bind: true });
const server = (o: ServerOptions = {}): Plugin => {
  checkOptionKeys('server', o, KEYS);
  return placeable(server, o, definePlugin({ name: 'server', configure: () => [] }));
};
const at = { file: 'runbook.config.ts', key: 'envs.prod.options' };

test('an overlay option becomes the vars of the plugin it names, checked by the plugin factory', (t) => {
  t.deepEqual(checkEnvOptions({ server: { workers: 5 } }, [server({ bind: ':80' })], at), { server: { workers: 5 } });
});

const refused = test.macro((t, options: unknown, key: string, message: RegExp) => {
  const plugins = [server(), definePlugin({ name: 'plain' })];
  const e = t.throws(() => checkEnvOptions(options, plugins, at)) as RunbookError;
  t.like(e, { code: 'E_CONFIG', details: { file: 'runbook.config.ts', key } });
  t.regex(e.message, message);
  t.true(e.isBadInput);
});
test('an unknown option key: the full key and the closest option', refused, { server: { wrokers: 5 } }, 'envs.prod.options.server.wrokers', /unknown option "wrokers"; did you mean "workers"\?/);
test('an unknown plugin name: the closest plugin of the config', refused, { sevrer: { workers: 5 } }, 'envs.prod.options.sevrer', /"sevrer" is no plugin of this env's config; did you mean "server"\? plugins: server, plain/);
test('options of a plugin that takes none from the env', refused, { plain: { x: 1 } }, 'envs.prod.options.plain', /takes no options/);
test('a plugin\'s options that are not an object', refused, { server: 5 }, 'envs.prod.options.server', /expected the server plugin's options as an object, got 5/);
test('options that are not an object', refused, ['server'], 'envs.prod.options', /expected an object of plugin name → options/);

const projectWith = (config: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-env-options-'));
  writeFileSync(join(dir, 'runbook.config.mjs'), config);
  return dir;
};
const src = (file: string) => pathToFileURL(join(import.meta.dirname, file)).href;
const configWith = (envs: string) => `
import { definePlugin, placeable } from ${JSON.stringify(src('plugin.ts'))};
import { checkOptionKeys } from ${JSON.stringify(src('option-keys.ts'))};
const server = (o = {}) => { checkOptionKeys('server', o, ['on', 'workers', 'bind']); return placeable(server, o, definePlugin({ name: 'server' })); };
export default { vars: { server: { bind: ':80' }, region: 'eu' }, plugins: [server({ workers: 2 })], envs: ${envs} };
`;

test('loadConfig: the env overlay\'s options merge over the config vars named after the plugin; other envs keep theirs', async (t) => {
  const cwd = projectWith(configWith(`{ prod: { options: { server: { workers: 5 } }, vars: { region: 'us' } } }`));
  t.deepEqual((await loadConfig({ cwd, env: 'prod' })).vars, { server: { bind: ':80', workers: 5 }, region: 'us' });
  t.deepEqual((await loadConfig({ cwd, env: 'stg' })).vars, { server: { bind: ':80' }, region: 'eu' });
});

test('loadConfig: a typo in an overlay option is exit 4 naming the config file and the key', async (t) => {
  const cwd = projectWith(configWith(`{ prod: { options: { server: { wrokers: 5 } } } }`));
  const e = (await t.throwsAsync(loadConfig({ cwd, env: 'prod' }))) as RunbookError;
  t.like(e, { code: 'E_CONFIG', details: { file: 'runbook.config.mjs', key: 'envs.prod.options.server.wrokers' } });
  t.regex(e.message, /did you mean "workers"/);
});

test('loadConfig: options at the top level belong in an overlay', async (t) => {
  const cwd = projectWith(configWith(`{}`).replace('envs: {}', 'envs: {}, options: { server: { workers: 5 } }'));
  const e = (await t.throwsAsync(loadConfig({ cwd, env: 'prod' }))) as RunbookError;
  t.like(e, { code: 'E_CONFIG', details: { key: 'options' } });
  t.regex(e.message, /envs\.<env>\.options/);
});

test('precedence: the call < config vars < the env overlay < group vars < host vars, merged key by key', async (t) => {
  const cwd = projectWith(configWith(`{ prod: { options: { server: { workers: 5 } } } }`));
  const config = await loadConfig({ cwd, env: 'prod' });
  const inventories = mkdtempSync(join(tmpdir(), 'rb-env-options-inv-'));
  writeFileSync(join(inventories, 'prod.yml'), [
    'groups:',
    '  web: { vars: { server: { workers: 7 } } }',
    'hosts:',
    '  web-1: { groups: [web] }',
    '  web-2: { groups: [web], vars: { server: { workers: 9 } } }',
    '  db-1: {}',
    '',
  ].join('\n'));
  const inv = await loadInventory({ dir: inventories, env: 'prod', configVars: config.vars });
  const server = (alias: string) => inv.hosts.find((h) => h.alias === alias)!.vars.server;
  t.deepEqual(server('db-1'), { bind: ':80', workers: 5 }, 'the env overlay over config vars (the call said workers: 2)');
  t.deepEqual(server('web-1'), { bind: ':80', workers: 7 }, 'group vars over the env overlay');
  t.deepEqual(server('web-2'), { bind: ':80', workers: 9 }, 'host vars over group vars');
});
