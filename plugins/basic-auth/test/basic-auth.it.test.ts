/**
 * basic-auth with nginx on a real Debian host: a tiny upstream (python http.server on 127.0.0.1:8000),
 * nginx + basic-auth configured twice (0 changed the second time), then requests from this machine:
 * 401 without or with wrong credentials, 200 with right ones, the health path open; a changed password
 * rewrites only that user. No password (nor hash) appears in any event. Fails (never skips) when the
 * host cannot boot.
 */
import test from 'ava';
import { definePlugin, secret, type Plugin, type Secret } from '@runbook/core';
import { directory, file, systemdUnit } from '@runbook/system';
import { nginx } from '@runbook/nginx';
import { basicAuth } from '../src/index.js';
import { boot, checkoutSet, explain, type Harness, settle } from '@runbook/testing';

let h: Harness;

/** Stands in for app + gunicorn: an http upstream serving /srv/up on :8000 (with /health/). */
const upstream: Plugin = definePlugin({
  name: 'upstream',
  contribute(site) {
    site.upstream = { protocol: 'http', address: '127.0.0.1:8000' };
  },
  configure: () => [
    directory({ path: '/srv/up/health', recursive: true }),
    file({ path: '/srv/up/index.html', content: '<h1>behind the wall</h1>\n' }),
    file({ path: '/srv/up/health/index.html', content: 'healthy\n' }),
    systemdUnit({
      name: 'rb-upstream.service',
      content: '[Unit]\nDescription=test upstream\n[Service]\nExecStart=/usr/bin/python3 -m http.server 8000 --bind 127.0.0.1 --directory /srv/up\n[Install]\nWantedBy=multi-user.target\n',
      enabled: true,
      state: 'started',
    }),
  ],
});

const ALICE = 'Wonder-Land-42';
const BOB = 'B0b-pass word';
const BOB2 = 'n3w-B0b-secret';
const plugins = (): Plugin[] => [upstream, nginx(), basicAuth({ envs: ['test', 'stg'], realm: 'Runbook test' })];
const secrets = (bob: string): Record<string, Secret> => ({ BASIC_AUTH_USERS: secret(`alice:${ALICE},bob:${bob}`, 'BASIC_AUTH_USERS') });

async function get(path: string, user?: string, password?: string): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = user ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } : {};
  for (let i = 0; ; i++) {
    const r = await fetch(h.url(path), { headers, signal: AbortSignal.timeout(10_000) });
    // the upstream may take a moment to bind after its unit started
    if (r.status !== 502 || i >= 20) return { status: r.status, text: await r.text(), headers: r.headers };
    await new Promise((res) => setTimeout(res, 250));
  }
}

test.before(async () => {
  h = await boot(checkoutSet('itbasicauth'));
});
test.after.always(async () => {
  await h?.close();
});

test.serial('configure twice; the wall answers 401 without or with wrong credentials, 200 with right ones; /health/ open', async (t) => {
  const first = await h.configure(plugins(), { secrets: secrets(BOB) });
  t.is(first.result.exitCode, 0, explain(first));
  const created = first.tasks.find((e) => e.task === 'basicAuth.htpasswd');
  t.is(created?.status, 'changed');
  t.deepEqual(created?.changes, ['create /etc/nginx/htpasswd/site (2 users: alice, bob; 0640 root:www-data)']);
  const second = await h.configure(plugins(), { secrets: secrets(BOB) });
  t.is(second.result.exitCode, 0, explain(second));
  t.is(second.changed, 0, explain(second));

  await settle(async () => (await get('/')).status === 401);
  const denied = await get('/');
  t.is(denied.status, 401);
  t.is(denied.headers.get('www-authenticate'), 'Basic realm="Runbook test"');
  t.is((await get('/', 'alice', 'wrong')).status, 401);
  t.is((await get('/', 'mallory', ALICE)).status, 401);
  const alice = await get('/', 'alice', ALICE);
  t.is(alice.status, 200);
  t.regex(alice.text, /behind the wall/);
  t.is((await get('/', 'bob', BOB)).status, 200);
  const health = await get('/health/');
  t.is(health.status, 200);
  t.is(health.text, 'healthy\n');

  t.is(await h.ssh('stat -c %a:%U:%G /etc/nginx/htpasswd/site'), '640:root:www-data');
  t.is(await h.ssh('stat -c %a:%U:%G /etc/nginx/htpasswd'), '750:root:www-data');
  t.regex(await h.ssh('cat /etc/nginx/htpasswd/site'), /^alice:\$apr1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}\nbob:\$apr1\$/);

  const events = JSON.stringify([...first.events, ...second.events]);
  for (const pw of [ALICE, BOB]) t.false(events.includes(pw), 'a password appears in the events');
  t.false(events.includes('$apr1$'), 'a hash appears in the events');
});

test.serial('a changed password rewrites the file for that user only; then 0 changed', async (t) => {
  const aliceLine = await h.ssh('grep ^alice: /etc/nginx/htpasswd/site');
  const changed = await h.configure(plugins(), { secrets: secrets(BOB2) });
  t.is(changed.result.exitCode, 0, explain(changed));
  t.deepEqual(changed.tasks.filter((e) => e.status === 'changed').map((e) => [e.task, e.changes]), [
    ['basicAuth.htpasswd', ['change the password of bob']],
  ]);
  t.is(await h.ssh('grep ^alice: /etc/nginx/htpasswd/site'), aliceLine, "alice's hash (and salt) kept");
  // no reload needed: nginx reads the htpasswd file on every request
  t.is((await get('/', 'bob', BOB)).status, 401);
  t.is((await get('/', 'bob', BOB2)).status, 200);
  const again = await h.configure(plugins(), { secrets: secrets(BOB2) });
  t.is(again.changed, 0, explain(again));
  t.false(JSON.stringify([...changed.events, ...again.events]).includes(BOB2));
});

test.serial('an env without the wall: no auth_basic in the server block, the site is open', async (t) => {
  const prod = await h.configure(plugins(), { env: 'prod' });
  t.is(prod.result.exitCode, 0, explain(prod));
  t.deepEqual(prod.tasks.filter((e) => e.status === 'changed').map((e) => e.task), ['nginx.site', 'systemd.unit']);
  await settle(async () => (await get('/')).status === 200);
  t.is((await get('/')).status, 200);
  t.is(await h.ssh('grep -c auth_basic /etc/nginx/sites-available/site || true'), '0');
});
