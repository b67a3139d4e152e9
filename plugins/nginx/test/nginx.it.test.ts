/**
 * nginx against a real Debian host: a tiny upstream (python http.server on 127.0.0.1:8000), then the
 * nginx plugin twice (0 changed the second time), requests from this machine, `nginx -t` on the host,
 * and a broken server block that `nginx -t` rejects: the run fails with nginx's message, the previous
 * file is back and nginx keeps serving. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { definePlugin, secret, type AppModel, type Plugin } from '@runbook/core';
import { directory, file, systemdUnit } from '@runbook/system';
import { nginx, type NginxOptions } from '../src/index.js';
import { boot, checkoutSet, explain, type Harness, settle } from '@runbook/testing';

let h: Harness;

const app: AppModel = {
  name: 'shop', user: 'shop', group: 'shop', root: '/srv/shop', current: '/srv/shop/current', releases: '/srv/shop/releases',
  shared: '/srv/shop/shared', envFile: '/srv/shop/shared/.env', venv: '/srv/shop/current/.venv', staticRoot: '/srv/shop/shared/static',
};

/** Stands in for app + gunicorn: contributes the app and an http upstream, serves /srv/up on :8000. */
const upstream: Plugin = definePlugin({
  name: 'upstream',
  contribute(site) {
    site.app = app;
    site.upstream = { protocol: 'http', address: '127.0.0.1:8000' };
  },
  configure: () => [
    directory({ path: '/srv/up/health', recursive: true }),
    file({ path: '/srv/up/index.html', content: '<h1>upstream page</h1>\n' }),
    file({ path: '/srv/up/health/index.html', content: 'healthy\n' }),
    directory({ path: '/srv/shop/shared/static', recursive: true }),
    file({ path: '/srv/shop/shared/static/app.css', content: 'body { color: teal }\n' }),
    directory({ path: '/srv/docs' }),
    file({ path: '/srv/docs/hello.txt', content: 'docs here\n' }),
    systemdUnit({
      name: 'rb-upstream.service',
      content: '[Unit]\nDescription=test upstream\n[Service]\nExecStart=/usr/bin/python3 -m http.server 8000 --bind 127.0.0.1 --directory /srv/up\n[Install]\nWantedBy=multi-user.target\n',
      enabled: true,
      state: 'started',
    }),
  ],
});

const options: NginxOptions = { locations: [{ path: '/docs/', alias: '/srv/docs/' }] };

async function get(path: string): Promise<{ status: number; text: string; headers: Headers }> {
  // the upstream may take a moment to bind after its unit started
  for (let i = 0; ; i++) {
    const r = await fetch(h.url(path), { signal: AbortSignal.timeout(10_000) });
    if (r.status !== 502 || i >= 20) return { status: r.status, text: await r.text(), headers: r.headers };
    await new Promise((res) => setTimeout(res, 250));
  }
}

test.before(async () => {
  h = await boot(checkoutSet('itnginx'));
});
test.after.always(async () => {
  await h?.close();
});

test.serial('configure twice: nginx serves the upstream, static and extra locations; the default site is gone', async (t) => {
  const first = await h.configure([upstream, nginx(options)]);
  t.is(first.result.exitCode, 0, explain(first));
  t.true(first.changed > 0);
  t.true(first.tasks.some((e) => e.handler && e.title === 'reload nginx' && e.status === 'changed'), 'reload handler ran');
  const second = await h.configure([upstream, nginx(options)]);
  t.is(second.result.exitCode, 0, explain(second));
  t.is(second.changed, 0, explain(second));
  t.false(second.tasks.some((e) => e.handler), 'no handler on a no-op run');

  await settle(async () => /upstream page/.test((await get('/')).text));
  const home = await get('/');
  t.is(home.status, 200);
  t.regex(home.text, /upstream page/);
  const css = await get('/static/app.css');
  t.is(css.status, 200);
  t.is(css.text, 'body { color: teal }\n');
  t.regex(css.headers.get('cache-control') ?? '', /max-age=2592000/);
  const docs = await get('/docs/hello.txt');
  t.is(docs.text, 'docs here\n');
  t.is((await get('/static/missing.css')).status, 404);

  t.regex(await h.ssh('nginx -t 2>&1'), /test is successful/);
  t.is(await h.ssh('[ -e /etc/nginx/sites-enabled/default ] || [ -L /etc/nginx/sites-enabled/default ] && echo present || echo gone'), 'gone');
  t.is(await h.ssh('readlink /etc/nginx/sites-enabled/shop'), '/etc/nginx/sites-available/shop');
  t.is(await h.ssh('stat -c %a:%U:%G /etc/nginx/sites-available/shop'), '644:root:root');
  t.is(await h.ssh('systemctl is-enabled nginx; systemctl is-active nginx'), 'enabled\nactive');
});

test.serial('check mode shows the change as a diff; a block nginx -t rejects is rolled back and nginx keeps serving', async (t) => {
  const before = await h.ssh('sha256sum < /etc/nginx/sites-available/shop');
  const bad = nginx({ ...options, extraConfig: ['bogus_directive on;'] });

  const dry = await h.configure([upstream, bad], { check: true, diff: true });
  const planned = dry.tasks.find((e) => e.task === 'nginx.site');
  t.is(planned?.status, 'changed');
  t.regex(planned?.diff ?? '', /^\+ {4}bogus_directive on;$/m);
  t.is(await h.ssh('sha256sum < /etc/nginx/sites-available/shop'), before, 'check mode changed nothing');

  const broken = await h.configure([upstream, bad]);
  t.is(broken.result.exitCode, 1);
  const failed = broken.tasks.find((e) => e.status === 'failed');
  t.is(failed?.task, 'nginx.site');
  t.regex(failed?.error?.message ?? '', /nginx -t failed \(previous config restored\): nginx: \[emerg\] unknown directive "bogus_directive"/);
  t.false(broken.tasks.some((e) => e.handler), 'no reload after a failed change');

  t.is(await h.ssh('sha256sum < /etc/nginx/sites-available/shop'), before, 'previous file restored');
  t.is(await h.ssh('readlink /etc/nginx/sites-enabled/shop'), '/etc/nginx/sites-available/shop');
  t.is(await h.ssh('ls -A /etc/nginx/sites-available /etc/nginx/sites-enabled | grep -c "^\\.rb" || true'), '0', 'no temp files left');
  t.regex(await h.ssh('nginx -t 2>&1'), /test is successful/);
  t.is((await get('/')).status, 200);

  // the restored state is exactly the configured one
  const again = await h.configure([upstream, nginx(options)]);
  t.is(again.changed, 0, explain(again));
});

/** GET over https without checking the (self-signed) certificate. */
function getTls(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: h.host.address, port: 443, path, headers, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.serial('TLS with redirect, HSTS, ACME webroot and auth_basic with exemptions: nginx -t accepts it and it serves', async (t) => {
  const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=itnginx', '-days', '2', '-keyout', '-', '-out', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const key = pem.slice(pem.indexOf('-----BEGIN PRIVATE KEY-----'), pem.indexOf('-----END PRIVATE KEY-----') + 26);
  const cert = pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----'));
  // `openssl passwd -apr1 -salt saltsalt password`
  const users = 'alice:$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/\n';
  const tls: Plugin = definePlugin({
    name: 'tls-and-auth',
    contribute(site) {
      site.tls = { certificate: '/etc/ssl/certs/rb-it.pem', key: '/etc/ssl/private/rb-it.key', redirect: true, hsts: 300 };
      site.acmeWebroot = '/var/www/acme';
      site.auth = { realm: 'Restricted', userFile: '/etc/nginx/rb-it.htpasswd', exempt: [site.healthPath, '/.well-known/acme-challenge/'] };
    },
    configure: () => [
      file({ path: '/etc/ssl/certs/rb-it.pem', content: cert }),
      file({ path: '/etc/ssl/private/rb-it.key', content: secret(key), mode: '0600' }),
      directory({ path: '/var/www/acme/.well-known/acme-challenge', recursive: true }),
      file({ path: '/var/www/acme/.well-known/acme-challenge/tok', content: 'tok.thumb\n' }),
      file({ path: '/etc/nginx/rb-it.htpasswd', content: users, mode: '0640', group: 'www-data' }),
    ],
  });
  const first = await h.configure([upstream, tls, nginx(options)]);
  t.is(first.result.exitCode, 0, explain(first));
  const second = await h.configure([upstream, tls, nginx(options)]);
  t.is(second.changed, 0, explain(second));
  t.regex(await h.ssh('nginx -t 2>&1'), /test is successful/);

  await settle(async () => (await getTls('/')).status === 401);
  const redirect = await fetch(h.url('/shop?x=1'), { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  t.is(redirect.status, 301);
  t.is(redirect.headers.get('location'), `https://${h.host.address}/shop?x=1`);
  const challenge = await fetch(h.url('/.well-known/acme-challenge/tok'), { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  t.is(challenge.status, 200);
  t.is(await challenge.text(), 'tok.thumb\n');

  const denied = await getTls('/');
  t.is(denied.status, 401);
  t.is(denied.headers['strict-transport-security'], 'max-age=300');
  const allowed = await getTls('/', { authorization: `Basic ${Buffer.from('alice:password').toString('base64')}` });
  t.is(allowed.status, 200);
  t.regex(allowed.text, /upstream page/);
  const health = await getTls('/health/');
  t.is(health.status, 200);
  t.is(health.text, 'healthy\n');
  t.is((await getTls('/.well-known/acme-challenge/tok')).status, 200);
});
