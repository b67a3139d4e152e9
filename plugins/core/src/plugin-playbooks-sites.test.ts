/** Several apps in one config: a site (site model, context, tags, handlers, migrate) per app, on every host. */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from './config.js';
import { LocalConnection } from './local-connection.js';
import type { PlaybookContext } from './playbook.js';
import { definePlugin, perAppName, type Plugin } from './plugin.js';
import { configurePhases, deployPhases, hostPlans, siteIndexes } from './plugin-playbooks.js';
import { quote } from './quote.js';
import { runPlaybook } from './runner.js';
import { claim, type AppModel } from './site.js';
import { changes, defineTask } from './task.js';

const log = defineTask<{ file: string; line: string }, Record<string, never>, unknown>({
  name: 'test.log',
  describe: (o) => o.line,
  facts: () => ({}),
  check: (_f, o) => changes([o.line]),
  apply: (_p, o) => [{ script: `echo ${quote(o.line)} >> ${quote(o.file)}`, display: o.line }],
});

const h1 = { alias: 'h1', hostname: 'h1.example', user: 'root', groups: ['all'], vars: {}, env: 'test' };
const h2 = { ...h1, alias: 'h2', hostname: 'h2.example' };

/** A stand-in for app(): opens a site, puts its app into the model, migrates in deploy. */
const appPlugin = (name: string, file = '/dev/null', on?: string): Plugin => definePlugin({
  name: 'app',
  opensSite: true,
  on,
  contribute: (site) => {
    site.app = { name, root: `/srv/${name}`, releases: `/srv/${name}/releases` } as AppModel;
    claim(site, 'app', `app root /srv/${name}`);
  },
  configure: (ctx) => [log({ file, line: `configure ${ctx.site.app!.name}`, notify: 'restart' })],
  handlers: (ctx) => ({ restart: log({ file, line: `restart for ${ctx.site.app!.name}` }) }),
  deploy: (ctx) => ({ migrate: [log({ file, line: `migrate ${ctx.site.app!.name} on ${ctx.alias}` })] }),
});
/** A stand-in for an app server: one upstream per site, a unit named per app. */
const server = (on?: string): Plugin => definePlugin({
  name: 'server',
  on,
  contribute: (site, ctx) => {
    if (site.upstream) throw new Error('the site already has an upstream');
    site.upstream = { protocol: 'http', address: `unix:/run/${perAppName('server', ctx)}.sock` };
    site.reloadUnits.push(`${perAppName('server', ctx)}.service`);
    claim(site, 'server', `unit ${perAppName('server', ctx)}.service`);
  },
});
const names = (serverNames: string[], on?: string): Plugin => definePlugin({ name: 'names', on, contribute: (site) => void (site.serverNames = serverNames) });
const early = definePlugin({ name: 'early', contribute: (site) => void (site.env.EARLY = '1') });

const config = (plugins: Plugin[]): ResolvedConfig => ({ root: '/', inventoryDir: '/', playbookDir: '/', knownHosts: '/k', secretsDir: '/s', vars: {}, plugins, file: '/p/runbook.config.ts' });
const context = (plugins: Plugin[], hosts = [h1]): PlaybookContext => ({
  env: 'test', config: config(plugins), hosts,
  fleet: hosts.map((h) => ({ alias: h.alias, hostname: h.hostname, address: h.hostname, groups: h.groups, inRun: true })),
});

test('each app() opens a site: the plugins after it, up to the next app(), serve it; those before the first serve the first', (t) => {
  t.deepEqual(siteIndexes([early, appPlugin('api'), server(), appPlugin('admin'), server()]), [0, 0, 0, 1, 1]);
  t.deepEqual(siteIndexes([early, server()]), [0, 0], 'no app: one site, as before');
});

test('two apps on a host: a site model each, with its own app, upstream, units, names and release', (t) => {
  const plugins = [early, appPlugin('api'), server(), names(['api.example']), appPlugin('admin'), server(), names(['admin.example'])];
  const plan = hostPlans(context(plugins), 'R1')(h1);
  t.is(plan.sites.length, 2);
  const [api, admin] = plan.sites.map((s) => s.context);
  t.is(plan.context, api, 'the first site is the host plan\'s context');
  t.deepEqual([api.site.app?.name, admin.site.app?.name], ['api', 'admin']);
  t.deepEqual([api.site.upstream?.address, admin.site.upstream?.address], ['unix:/run/server-api.sock', 'unix:/run/server-admin.sock']);
  t.deepEqual([api.site.reloadUnits, admin.site.reloadUnits], [['server-api.service'], ['server-admin.service']]);
  t.deepEqual([api.site.serverNames, admin.site.serverNames], [['api.example'], ['admin.example']]);
  t.deepEqual([api.site.env, admin.site.env], [{ EARLY: '1' }, {}], 'a plugin before the first app serves the first');
  t.deepEqual([api.release?.path, admin.release?.path], ['/srv/api/releases/R1', '/srv/admin/releases/R1']);
  t.deepEqual(plan.sites.map((s) => s.plugins.map((p) => p.name)), [['early', 'app', 'server', 'names'], ['app', 'server', 'names']]);
  t.is(plan.contextOf(plan.sites[1].plugins[1]), admin);
});

test('one app: names stay as they were (no -<app> suffix)', (t) => {
  const plan = hostPlans(context([appPlugin('api'), server()]))(h1);
  t.is(plan.sites.length, 1);
  t.deepEqual(plan.context.site.reloadUnits, ['server.service']);
});

test('two apps that would share a host-wide name on a host: a config error naming both, before anything runs', (t) => {
  const unit = (name: string) => definePlugin({ name: 'worker', contribute: (site) => claim(site, 'worker', `unit ${name}.service`) });
  const e = t.throws(() => hostPlans(context([appPlugin('api'), unit('w'), appPlugin('admin'), unit('w')]))(h1));
  t.is((e as { code?: string }).code, 'E_CONFIG');
  t.is(e!.message, 'host h1: the apps "api" and "admin" both use unit w.service (worker of "api", worker of "admin"): give one of them another name in its options');
  // the same name within one site is that site's business
  t.notThrows(() => hostPlans(context([appPlugin('api'), unit('w'), unit('w'), appPlugin('admin')]))(h1));
  // placed on different hosts, they do not meet
  t.notThrows(() => hostPlans(context([appPlugin('api', undefined, 'h1'), unit('w'), appPlugin('admin', undefined, 'h2'), definePlugin({ ...unit('w'), on: 'h2' })], [h1, h2]))(h1));
});

test('configure: each phase plans from its own site; tasks carry the app as a tag; a handler name resolves to its own site', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'rb-sites-')), 'log');
  const plugins = [appPlugin('api', file), appPlugin('admin', file)];
  const phases = await configurePhases(context(plugins));
  t.deepEqual(phases.map((p) => p.name), ['app', 'app']);
  const tasks = phases.map((p) => (p.tasks as (h: typeof h1) => { tags: readonly string[] }[])(h1));
  t.deepEqual(tasks.map((list) => list.map((x) => x.tags)), [[['api']], [['admin']]]);

  const play = (tags?: string[]) => runPlaybook({
    playbook: { name: 'configure', phases: configurePhases }, context: { env: 'test', config: config(plugins) }, hosts: [h1],
    connect: async () => new LocalConnection('h1'), emit: () => {}, tags,
  });
  t.is((await play()).exitCode, 0);
  t.is(readFileSync(file, 'utf8'), 'configure api\nrestart for api\nconfigure admin\nrestart for admin\n');
  t.is((await play(['admin'])).exitCode, 0);
  t.is(readFileSync(file, 'utf8').split('\n').slice(4).join('\n'), 'configure admin\nrestart for admin\n', '--tags admin: only that app');
});

test('deploy: migrate runs once per app, on a host of that app; --tags selects one app', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'rb-sites-')), 'log');
  // api only on h1, admin only on h2: each app's migrate must run, each on its own host
  const plugins = [appPlugin('api', file, 'h1'), appPlugin('admin', file, 'h2')];
  const phases = await deployPhases(context(plugins, [h1, h2]), 'R1');
  t.deepEqual(phases[0].stages!.map((s) => s.name), ['lock', 'prepare', 'build', 'migrate api', 'migrate admin', 'switch', 'reload', 'verify', 'finish']);
  const deploy = (tags?: string[]) => runPlaybook({
    playbook: { name: 'deploy', phases: (c) => deployPhases(c, 'R1') }, context: { env: 'test', config: config(plugins) }, hosts: [h1, h2],
    connect: async (h) => new LocalConnection(h.alias), emit: () => {}, tags,
  });
  t.is((await deploy()).exitCode, 0);
  t.is(readFileSync(file, 'utf8'), 'migrate api on h1\nmigrate admin on h2\n');
  t.is((await deploy(['admin'])).exitCode, 0);
  t.is(readFileSync(file, 'utf8').split('\n').slice(2).join('\n'), 'migrate admin on h2\n');

  const one = await deployPhases(context([appPlugin('api')]), 'R1');
  t.true(one[0].stages!.some((s) => s.name === 'migrate'), 'one app: the stage keeps its name');
});
