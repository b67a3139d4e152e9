import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, placeable, type AppModel, type Plugin, type ResolvedConfig } from '@runbook/core';
import { auditTargets } from './history-hosts.js';

/** an app plugin as @runbook/app makes one: it opens a site and contributes its root; vars may set its root per host */
interface FakeAppOptions { name: string; root: string; on?: string }
const fakeApp = (o: FakeAppOptions): Plugin => placeable(fakeApp, o, definePlugin({
  name: 'app', opensSite: true,
  contribute: (site) => void (site.app = { name: o.name, root: o.root } as AppModel),
}));
/** a plugin whose model needs a secret the listing does not load */
const needsSecret = definePlugin({ name: 'broker', contribute: (_site, ctx) => { if (!ctx.secrets.BROKER_PASSWORD) throw new Error('BROKER_PASSWORD is missing'); } });

function project(plugins: Plugin[]): ResolvedConfig {
  const root = mkdtempSync(join(tmpdir(), 'rb-history-hosts-'));
  mkdirSync(join(root, 'inventories'));
  writeFileSync(join(root, 'inventories/prod.yml'), [
    'hosts:',
    '  web-1: { hostname: 10.0.0.1, groups: [web] }',
    '  web-2: { hostname: 10.0.0.2, groups: [web], vars: { app: { root: /srv/shop-b } } }',
    '  db-1: { hostname: 10.0.0.3, groups: [data] }',
    '',
  ].join('\n'));
  return { root, inventoryDir: join(root, 'inventories'), playbookDir: root, knownHosts: join(root, 'known_hosts'), secretsDir: root, vars: {}, plugins };
}
const ssh = { projectKnownHosts: '/dev/null' };

test('the hosts that run an app, each with its apps’ roots (vars included); other plugins, and their secrets, play no part', async (t) => {
  const config = project([fakeApp({ name: 'shop', root: '/srv/shop', on: 'web' }), needsSecret, fakeApp({ name: 'blog', root: '/srv/blog', on: 'web-1' })]);
  const targets = await auditTargets(config, 'prod', undefined, ssh);
  t.deepEqual(targets.map((x) => [x.alias, x.roots]), [['web-1', ['/srv/shop', '/srv/blog']], ['web-2', ['/srv/shop-b']]]);
});

test('--limit selects the hosts read', async (t) => {
  const config = project([fakeApp({ name: 'shop', root: '/srv/shop' })]);
  t.deepEqual((await auditTargets(config, 'prod', 'data', ssh)).map((x) => x.alias), ['db-1']);
  t.deepEqual((await auditTargets(config, 'prod', undefined, ssh)).map((x) => x.alias), ['web-1', 'web-2', 'db-1']);
});
