import test from 'ava';
import { emptySiteModel, type AppModel, type PluginContext, type SiteModel } from '@runbook/core';
import { contributeNginx, nginx, RELOAD_NGINX, UPDATE_NGINX_SITE } from './nginx.js';

// as @runbook/app contributes it: the live release's static files, through the `current` link
const app = { name: 'shop', staticRoot: '/srv/shop/current/staticfiles' } as AppModel;
const withApp = (patch: Partial<SiteModel> = {}): SiteModel => ({ ...emptySiteModel('web1'), app, ...patch });

test('contribute: the app gets /static/ with a 30-day max-age; options add locations and names', (t) => {
  const site = withApp();
  contributeNginx(site, { serverNames: ['shop.example.com'], locations: [{ path: '/docs/', alias: '/srv/docs/' }] });
  t.deepEqual(site.serverNames, ['shop.example.com']);
  t.deepEqual(site.staticLocations, [
    { path: '/static/', alias: '/srv/shop/current/staticfiles/', maxAge: 2592000 },
    { path: '/docs/', alias: '/srv/docs/' },
  ]);
});

test('contribute: the server block, its names and default_server are claimed (two apps on a host may not share them)', (t) => {
  const site = withApp();
  contributeNginx(site, { serverNames: ['shop.example.com', 'www.shop.example.com'], defaultServer: true });
  t.deepEqual(site.claims, ['nginx site shop', 'server name shop.example.com', 'server name www.shop.example.com', 'the nginx default_server'].map((name) => ({ name, by: 'nginx' })));
});

test('contribute: no /static/ when the static URL is elsewhere (s3-static) or without an app', (t) => {
  const s3 = withApp({ staticUrl: 'https://cdn.example.com/static/' });
  contributeNginx(s3, {});
  t.deepEqual(s3.staticLocations, []);
  const bare = emptySiteModel('web1');
  contributeNginx(bare, {});
  t.deepEqual(bare.staticLocations, []);
  t.deepEqual(bare.serverNames, ['web1']);
});

test('contribute: an option location replaces one with the same path', (t) => {
  const site = withApp();
  contributeNginx(site, { locations: [{ path: '/static/', alias: '/srv/other/' }] });
  t.deepEqual(site.staticLocations, [{ path: '/static/', alias: '/srv/other/' }]);
});

const ctx = (site: SiteModel) => ({ site }) as PluginContext;

test('configure: package, default site off, gated server block, nginx running; all changes notify the reload', (t) => {
  const site = withApp({ upstream: { protocol: 'http', address: 'unix:/run/gunicorn.sock' } });
  const p = nginx();
  p.contribute(site, ctx(site));
  const tasks = p.configure(ctx(site));
  t.deepEqual(tasks.map((x) => x.type.name), ['apt.packages', 'command.run', 'nginx.site', 'systemd.unit']);
  t.deepEqual(tasks.map((x) => x.notify), [[], [RELOAD_NGINX], [RELOAD_NGINX], []]);
  t.is(tasks[2].options.name, 'shop');
  t.regex(tasks[2].options.content, /proxy_pass http:\/\/unix:\/run\/gunicorn.sock;/);
  t.deepEqual(tasks[3].options, { name: 'nginx.service', enabled: true, state: 'started' });
  t.is(tasks[2].options.pending, undefined, 'no TLS: nothing to wait for');
  const handlers = p.handlers(ctx(site));
  t.deepEqual(Object.keys(handlers), [UPDATE_NGINX_SITE, RELOAD_NGINX], 'the site is rewritten before the reload');
  t.deepEqual(handlers[UPDATE_NGINX_SITE].options, tasks[2].options);
  t.is(handlers[RELOAD_NGINX].options.state, 'reloaded');
});

test('configure: with TLS, the server block without TLS stands in while the certificate or key is missing', (t) => {
  const site = withApp({
    upstream: { protocol: 'http', address: 'unix:/run/gunicorn.sock' }, acmeWebroot: '/var/www/letsencrypt',
    tls: { certificate: '/etc/letsencrypt/live/shop/fullchain.pem', key: '/etc/letsencrypt/live/shop/privkey.pem', redirect: true },
  });
  const task = nginx().configure(ctx(site))[2];
  t.regex(task.options.content, /listen 443 ssl;/);
  t.deepEqual(task.options.pending.paths, ['/etc/letsencrypt/live/shop/fullchain.pem', '/etc/letsencrypt/live/shop/privkey.pem']);
  t.notRegex(task.options.pending.content, /443|ssl_certificate|return 301/);
  t.regex(task.options.pending.content, /location \^~ \/\.well-known\/acme-challenge\/ \{\n\s+root \/var\/www\/letsencrypt;/);
  t.regex(task.options.pending.content, /proxy_pass http:\/\/unix:\/run\/gunicorn.sock;/);
});

test('configure: siteName and removeDefaultSite: false', (t) => {
  const site = emptySiteModel('web1');
  const tasks = nginx({ siteName: 'docs', removeDefaultSite: false }).configure(ctx(site));
  t.deepEqual(tasks.map((x) => x.type.name), ['apt.packages', 'nginx.site', 'systemd.unit']);
  t.is(tasks[1].options.name, 'docs');
  t.is(nginx().configure(ctx(site))[2].options.name, 'site');
});

test('bad options fail when the plugin is made', (t) => {
  t.throws(() => nginx({ locations: [{ path: 'docs', alias: '/srv/docs/' }] }), { message: /locations\[0\]\.path/ });
  t.throws(() => nginx({ locations: [{ path: '/docs/', alias: 'docs' }] }), { message: /locations\[0\]\.alias/ });
  t.throws(() => nginx({ serverNames: 'x' as never }), { message: /serverNames/ });
});

test('unknown options fail when the plugin is made (E_OPTIONS), top level and in a location; on is allowed', (t) => {
  const top = t.throws(() => nginx({ serverName: ['shop.example.com'] } as never));
  t.is((top as { code?: string }).code, 'E_OPTIONS');
  t.is(top?.message, 'nginx: unknown option "serverName"; did you mean "serverNames"? allowed: on, siteName, serverNames, removeDefaultSite, locations, clientMaxBodySize, extraConfig, quietFavicon, defaultServer, ipv6');
  const nested = t.throws(() => nginx({ locations: [{ path: '/docs/', alias: '/srv/docs/', maxage: 60 }] } as never));
  t.is(nested?.message, 'nginx: unknown option "locations[0].maxage"; did you mean "locations[0].maxAge"? allowed: path, alias, maxAge');
  t.notThrows(() => nginx({ on: 'web', locations: [{ path: '/docs/', alias: '/srv/docs/', maxAge: 60 }] }));
});
