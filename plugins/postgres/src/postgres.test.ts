import test from 'ava';
import { definePlugin, reveal, secret, type AppModel, type Plugin } from '@runbook/core';
import { pluginContext, type FleetEntry } from '@runbook/testing';
import type { AccessOptions } from './access.js';
import { postgres } from './postgres.js';

/** Stands in for @runbook/app: the app model only, placed like the real one. */
const app = (on?: string): Plugin => definePlugin({
  name: 'app',
  on,
  contribute: (site) => {
    site.app = { name: 'my-shop' } as AppModel;
  },
});
const secrets = { POSTGRES_PASSWORD: secret('pw123') };
const env: FleetEntry[] = [
  { alias: 'data-1', groups: ['data'], address: '10.0.1.11' },
  { alias: 'web-1', groups: ['web'], address: '10.0.1.12' },
  { alias: 'web-2', groups: ['web'], address: '10.0.1.13' },
];
const ctxOf = (hostname: string, plugins: Plugin[], fleet = env) => pluginContext({ hostname, fleet, plugins, secrets, env: 'prod' });
const accessOf = (ctx: ReturnType<typeof ctxOf>, p: Plugin): AccessOptions => p.configure!(ctx).find((t) => t.type.name === 'postgres.access')!.options as AccessOptions;

test('data host: listens on its private address too; pg_hba lets in exactly the app\'s hosts; the database is named after the app that runs elsewhere', (t) => {
  const pg = postgres({ on: 'data' });
  const ctx = ctxOf('data-1', [app('web'), pg]);
  t.deepEqual(accessOf(ctx, pg), {
    listen: ['10.0.1.11'],
    clients: [{ database: 'my_shop', user: 'my_shop', address: '10.0.1.12' }, { database: 'my_shop', user: 'my_shop', address: '10.0.1.13' }],
  });
  // its own clients (none here) would use loopback, as on a single host
  t.is(reveal(ctx.site.database!.url), 'postgresql://my_shop:pw123@127.0.0.1:5432/my_shop');
});

test('app hosts: DATABASE_URL (a Secret) and site.database point at the data host\'s address; no local unit', (t) => {
  const ctx = ctxOf('web-2', [app('web'), postgres({ on: 'data', port: 5433 })]);
  t.is(reveal(ctx.site.env.DATABASE_URL as never), 'postgresql://my_shop:pw123@10.0.1.11:5433/my_shop');
  t.is(String(ctx.site.env.DATABASE_URL), '••••••');
  t.deepEqual({ ...ctx.site.database, url: undefined }, { url: undefined, name: 'my_shop', user: 'my_shop' });
});

test('the app on the data host too: it connects over loopback, the other hosts over the network', (t) => {
  const pg = postgres({ on: 'data' });
  const ctx = ctxOf('data-1', [app(), pg]);
  t.deepEqual(accessOf(ctx, pg).clients.map((c) => c.address), ['10.0.1.12', '10.0.1.13']);
  t.is(reveal(ctx.site.env.DATABASE_URL as never), 'postgresql://my_shop:pw123@127.0.0.1:5432/my_shop');
});

test('a host without the app gets no database URL', (t) => {
  const fleet = [...env, { alias: 'proxy-1', groups: ['proxy'], address: '10.0.1.20' }];
  const ctx = ctxOf('proxy-1', [app('web'), postgres({ on: 'data' })], fleet);
  t.is(ctx.site.database, undefined);
  t.false('DATABASE_URL' in ctx.site.env);
});

test('a single host: 127.0.0.1, localhost only (no listen change, no pg_hba lines)', (t) => {
  const pg = postgres();
  const ctx = ctxOf('web-1', [app(), pg], [{ alias: 'web-1', groups: ['web'] }]);
  t.deepEqual(accessOf(ctx, pg), { listen: [], clients: [] });
  t.is(reveal(ctx.site.env.DATABASE_URL as never), 'postgresql://my_shop:pw123@127.0.0.1:5432/my_shop');
  // outside an env (no fleet) likewise
  const bare = pluginContext({ plugins: [app(), pg], secrets });
  t.deepEqual(accessOf(bare, pg), { listen: [], clients: [] });
});

test('postgres on two hosts of an env: E_CONFIG naming both', (t) => {
  const e = t.throws(() => ctxOf('web-1', [app(), postgres({ on: 'web' })]));
  t.is((e as { code?: string }).code, 'E_CONFIG');
  t.regex(e!.message, /env "prod" places postgres on 2 hosts \(web-1, web-2\); an env has one database host/);
});

test('a host reached by name only: E_CONFIG asking for its privateAddress', (t) => {
  const fleet = [{ alias: 'data-1', groups: ['data'], address: '10.0.1.11' }, { alias: 'web-1', groups: ['web'] }];
  const e = t.throws(() => ctxOf('data-1', [app('web'), postgres({ on: 'data' })], fleet));
  t.is((e as { code?: string }).code, 'E_CONFIG');
  t.regex(e!.message, /web-1 connects to the database on data-1, so it needs its private address as an IP: set the host var privateAddress of web-1 \(its address is "web-1"\)/);
});
