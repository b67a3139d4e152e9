/** Plugins composed into configure/deploy phases, run on local connections. */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from './local-connection.js';
import { fleetOf } from './fleet.js';
import { definePlugin, placeable, type Plugin } from './plugin.js';
import { configurePhases, deployPhases, newReleaseId } from './plugin-playbooks.js';
import { quote } from './quote.js';
import { runPlaybook } from './runner.js';
import { changes, defineTask } from './task.js';

const log = defineTask<{ file: string; line: string; fail?: boolean }, Record<string, never>, unknown>({
  name: 'test.log',
  describe: (o) => o.line,
  facts: () => ({}),
  check: (_f, o) => changes([o.line]),
  apply: (_p, o) => [{ script: `echo ${quote(o.line)} >> ${quote(o.file)}${o.fail ? '; exit 3' : ''}`, display: o.line }],
});

const host = { alias: 'h1', hostname: 'h1.example', user: 'root', groups: ['all'], vars: {}, env: 'test' };

async function play(plugins: Plugin[], which: 'configure' | 'deploy', check = false) {
  const config = { root: '/', inventoryDir: '/', playbookDir: '/', knownHosts: '/k', secretsDir: '/s', vars: {}, plugins };
  return runPlaybook({
    playbook: { name: which, phases: (c) => (which === 'deploy' ? deployPhases(c, 'R1') : configurePhases(c)) },
    context: { env: 'test', config },
    hosts: [host],
    connect: async () => new LocalConnection('h1'),
    emit: () => {},
    check,
  });
}

test('deploy runs stage by stage across plugins, in config order; prepare runs once; the site model is shared', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'rb-pp-')), 'log');
  let prepared = 0;
  const first = definePlugin({
    name: 'first',
    prepare: async () => void prepared++,
    contribute: (site) => void (site.healthPath = '/up/'),
    deploy: (ctx) => ({
      switch: [log({ file, line: `first switch ${ctx.release?.id ?? 'no release'}` })],
      prepare: [log({ file, line: `first prepare ${ctx.site.healthPath}` })],
    }),
  });
  const second = definePlugin({
    name: 'second',
    deploy: () => ({ prepare: [log({ file, line: 'second prepare' })], reload: [log({ file, line: 'second reload' })] }),
  });
  const r = await play([first, second], 'deploy');
  t.is(r.exitCode, 0);
  t.is(prepared, 1);
  t.is(readFileSync(file, 'utf8'), 'first prepare /up/\nsecond prepare\nfirst switch no release\nsecond reload\n');
});

test('prepare knows --check (a control-machine step must change nothing then)', async (t) => {
  const seen: (boolean | undefined)[] = [];
  const plugin = definePlugin({ name: 'p', prepare: (ctx) => void seen.push(ctx.check), deploy: () => ({}) });
  await play([plugin], 'deploy', true);
  await play([plugin], 'deploy');
  t.deepEqual(seen, [true, false]);
});

test('a failed deploy task runs the rescue tasks, then the finally tasks; the host counts as failed', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'rb-pp-')), 'log');
  const plugin = definePlugin({
    name: 'p',
    deploy: () => ({ lock: [log({ file, line: 'lock' })], verify: [log({ file, line: 'verify', fail: true })], finish: [log({ file, line: 'finish' })] }),
    rescueDeploy: () => [log({ file, line: 'switch back' })],
    finallyDeploy: () => [log({ file, line: 'unlock' })],
  });
  const r = await play([plugin], 'deploy');
  t.is(r.exitCode, 1);
  t.is(readFileSync(file, 'utf8'), 'lock\nverify\nswitch back\nunlock\n');
});

test('configure: a phase per plugin; an error in a plugin hook names the plugin', async (t) => {
  const bad = definePlugin({ name: 'broken', configure: () => { throw new Error('no app configured'); } });
  await t.throwsAsync(play([bad], 'configure'), { message: /\[broken\.configure\] no app configured/ });
});

test('no plugins enabled: the configure playbook says what to do', async (t) => {
  await t.throwsAsync(play([], 'configure'), { message: /none are enabled/ });
});

test('release ids sort by time and differ between runs started in the same second', (t) => {
  t.is(newReleaseId(new Date('2026-11-24T06:11:00.123Z'), 'beef'), '20261124T061100Z-beef');
  const now = new Date();
  t.not(newReleaseId(now), newReleaseId(now));
  t.true(newReleaseId(new Date('2026-11-24T06:11:00Z')) < newReleaseId(new Date('2026-11-24T06:11:01Z')));
});

// a plugin with options, made placeable like every built-in one
interface ServeOptions { on?: string; workers?: number }
const served: { host: string; plugin: string; workers?: number; url?: string }[] = [];
function server(o: ServeOptions = {}): Plugin {
  return placeable(server, o, definePlugin({
    name: 'server',
    contribute: (site, ctx) => void (site.env.SERVER = `local:${ctx.alias}`),
    offer: (site, ctx) => void (site.env.SERVER = `remote:${ctx.hostsWith('server').map((h) => h.address).join(',')}`),
    configure: (ctx) => (served.push({ host: ctx.alias, plugin: 'server', workers: o.workers, url: String(ctx.site.env.SERVER) }), []),
  }));
}
const client: Plugin = definePlugin({
  name: 'client',
  on: 'web',
  configure: (ctx) => (served.push({ host: ctx.alias, plugin: 'client', url: String(ctx.site.env.SERVER) }), []),
});

test('placement: a host plans only the plugins placed on it; others offer it what they serve; vars set per-host options', async (t) => {
  served.length = 0;
  const hosts = [
    { alias: 'web-1', hostname: 'web-1', user: 'root', groups: ['all', 'web'], vars: {}, env: 'test' },
    { alias: 'web-2', hostname: 'web-2', user: 'root', groups: ['all', 'web'], vars: { server: { workers: 9 } }, env: 'test' },
    { alias: 'db-1', hostname: 'db-1', user: 'root', groups: ['all', 'data'], vars: { server: { workers: 3 }, privateAddress: '10.9.0.1' }, env: 'test' },
  ];
  const config = { root: '/', inventoryDir: '/', playbookDir: '/', knownHosts: '/k', secretsDir: '/s', vars: {}, plugins: [server({ on: 'data', workers: 1 }), client] };
  const result = await runPlaybook({
    playbook: { name: 'configure', phases: configurePhases },
    context: { env: 'test', config, fleet: fleetOf(hosts, new Set(hosts.map((h) => h.alias))) },
    hosts,
    connect: async (h) => new LocalConnection(h.alias),
    emit: () => {},
  });
  t.is(result.exitCode, 0);
  t.deepEqual(served.sort((a, b) => a.host.localeCompare(b.host)), [
    { host: 'db-1', plugin: 'server', workers: 3, url: 'local:db-1' },
    { host: 'web-1', plugin: 'client', url: 'remote:10.9.0.1' },
    { host: 'web-2', plugin: 'client', url: 'remote:10.9.0.1' },
  ]);
});

test('placement errors fail planning: an unknown role, vars for a plugin that takes none', async (t) => {
  const hosts = [{ alias: 'h1', hostname: 'h1', user: 'root', groups: ['all'], vars: { plain: { x: 1 } }, env: 'test' }];
  const run = (plugins: Plugin[]) => runPlaybook({
    playbook: { name: 'configure', phases: configurePhases },
    context: { env: 'test', config: { root: '/', inventoryDir: '/', playbookDir: '/', knownHosts: '/k', secretsDir: '/s', vars: {}, plugins } },
    hosts, connect: async () => new LocalConnection('h1'), emit: () => {},
  });
  await t.throwsAsync(run([server({ on: 'dtaa' })]), { message: /\[server\.on\] server: on "dtaa" names no host or group of this env/ });
  await t.throwsAsync(run([definePlugin({ name: 'plain', configure: () => [] })]), { message: /host h1: vars\.plain sets options of the plain plugin, which takes none from vars/ });
});
