/**
 * nginx against a real Debian host: a tiny upstream (python http.server on 127.0.0.1:8000), then the
 * nginx plugin twice (0 changed the second time), requests from this machine, `nginx -t` on the host,
 * and a broken server block that `nginx -t` rejects: the run fails with nginx's message, the previous
 * file is back and nginx keeps serving. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { definePlugin, type AppModel, type Plugin } from '@runbook/core';
import { directory, file, systemdUnit } from '@runbook/system';
import { nginx, type NginxOptions } from '../src/index.js';
import { boot, explain, settle, type Harness } from './harness.js';

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
  h = await boot('itnginx');
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
