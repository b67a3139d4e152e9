import test from 'ava';
import { definePlugin, reveal, secret, type AppModel, type Plugin } from '@runbook/core';
import { pluginContext, type FleetEntry } from '@runbook/testing';
import { dragonfly } from './dragonfly.js';
import type { DragonflyOptions } from './dragonfly-options.js';

const base = { url: 'https://example.org/dragonfly-x86_64', sha256: 'a'.repeat(64) };
/** Stand-ins placed like @runbook/app and @runbook/celery: only their names and placement matter here. */
const app = (on?: string): Plugin => definePlugin({ name: 'app', on, contribute: (site) => void (site.app = { name: 'shop' } as AppModel) });
const celery = (on?: string): Plugin => definePlugin({ name: 'celery', on });
const env: FleetEntry[] = [
  { alias: 'data-1', groups: ['data'], address: '10.0.1.11' },
  { alias: 'web-1', groups: ['web'], address: '10.0.1.12' },
  { alias: 'worker-1', groups: ['worker'], address: '10.0.1.13' },
];
const secrets = { DRAGONFLY_PASSWORD: secret('p@ss') };
const ctxOf = (hostname: string, plugins: Plugin[], o: { secrets?: typeof secrets; fleet?: FleetEntry[] } = {}) =>
  pluginContext({ hostname, fleet: o.fleet ?? env, plugins, secrets: o.secrets ?? secrets, env: 'prod' });
const stack = (o: Partial<DragonflyOptions> = {}) => [app('web,worker'), dragonfly({ ...base, on: 'data', ...o }), celery('worker')];
const execStart = (ctx: ReturnType<typeof ctxOf>, p: Plugin) =>
  (p.configure!(ctx).find((t) => t.type.name === 'systemd.unit')!.options as { content: string }).content.split('\n').find((l) => l.startsWith('ExecStart='));

test('the data host binds its private address (one address: Dragonfly takes one); its own URL uses it too', (t) => {
  const plugins = stack();
  const ctx = ctxOf('data-1', plugins);
  t.is(execStart(ctx, plugins[1]), 'ExecStart=/usr/local/bin/dragonfly --dir /var/lib/dragonfly --port 6379 --bind 10.0.1.11 --requirepass ${REDISCLI_AUTH}');
  t.is(reveal(ctx.site.broker!.url as never), 'redis://:p%40ss@10.0.1.11:6379/0');
  t.is(ctx.site.broker!.unit, 'dragonfly.service');
});

test('web and worker hosts: the broker at the data host\'s address, a Secret in site.broker and .env, no local unit to order after', (t) => {
  for (const host of ['web-1', 'worker-1']) {
    const ctx = ctxOf(host, stack({ port: 6380 }));
    t.is(reveal(ctx.site.broker!.url as never), 'redis://:p%40ss@10.0.1.11:6380/0', host);
    t.is(ctx.site.broker!.unit, undefined);
    t.is(ctx.site.env.CELERY_BROKER_URL, ctx.site.broker!.url);
    t.is(ctx.site.env.REDIS_URL, ctx.site.broker!.url);
    t.is(String(ctx.site.env.CELERY_BROKER_URL), '••••••');
  }
});

test('a host with neither the app nor celery gets no broker', (t) => {
  const ctx = ctxOf('proxy-1', stack(), { fleet: [...env, { alias: 'proxy-1', groups: ['proxy'], address: '10.0.1.20' }] });
  t.is(ctx.site.broker, undefined);
});

test('clients on other hosts without a password: E_CONFIG naming them and the secret', (t) => {
  for (const host of ['data-1', 'web-1']) {
    const e = t.throws(() => ctxOf(host, stack(), { secrets: {} as never }));
    t.is((e as { code?: string }).code, 'E_CONFIG');
    t.regex(e!.message, /web-1, worker-1 reach the broker on data-1 over the network, so it needs a password: set DRAGONFLY_PASSWORD in the prod secrets/);
  }
});

test('a single host (or every client with its own broker): loopback, no password needed, as before', (t) => {
  const p = dragonfly(base);
  const one = ctxOf('web-1', [app(), p], { fleet: [{ alias: 'web-1', groups: ['web'], address: '10.0.1.12' }], secrets: {} as never });
  t.is(one.site.broker!.url, 'redis://127.0.0.1:6379/0');
  t.regex(execStart(one, p)!, /--bind 127\.0\.0\.1$/);
  const each = ctxOf('web-1', [app('web,worker'), dragonfly({ ...base, on: 'web,worker' })], { secrets: {} as never });
  t.is(each.site.broker!.url, 'redis://127.0.0.1:6379/0');
});

test('dragonfly on two hosts and a client on a third: E_CONFIG (which broker?)', (t) => {
  const e = t.throws(() => ctxOf('web-1', [app('web,worker'), dragonfly({ ...base, on: 'data,worker' })]));
  t.regex(e!.message, /web-1 run the app or celery without a broker of their own, and dragonfly runs on 2 hosts \(data-1, worker-1\)/);
});

test('a given bind: kept (another address for the others to use); loopback keeping them out is an error', (t) => {
  const web = ctxOf('web-1', stack({ bind: '10.0.2.11' }));
  t.is(reveal(web.site.broker!.url as never), 'redis://:p%40ss@10.0.2.11:6379/0');
  const wide = ctxOf('web-1', stack({ bind: '0.0.0.0' }));
  t.is(reveal(wide.site.broker!.url as never), 'redis://:p%40ss@10.0.1.11:6379/0');
  const e = t.throws(() => ctxOf('data-1', stack({ bind: '127.0.0.1' })));
  t.regex(e!.message, /bind 127\.0\.0\.1 keeps web-1, worker-1 out/);
});

test('a client host known by name only: E_CONFIG asking for its privateAddress', (t) => {
  const e = t.throws(() => ctxOf('data-1', stack(), { fleet: [env[0], { alias: 'web-1', groups: ['web'] }, env[2]] }));
  t.regex(e!.message, /web-1 uses the broker on data-1, so it needs its private address as an IP: set the host var privateAddress of web-1/);
});
