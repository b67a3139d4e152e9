import test from 'ava';
import { emptySiteModel, type SiteModel } from '@runbook/core';
import { renderServerBlock, type ServerBlockOptions } from './render-server-block.js';

const site = (patch: Partial<SiteModel> = {}): SiteModel => ({ ...emptySiteModel('web1'), ...patch });
const gunicorn = { protocol: 'http', address: 'unix:/run/gunicorn.sock' } as const;
const auth = { realm: 'Restricted', userFile: '/etc/nginx/htpasswd/shop', exempt: ['/health/', '/.well-known/acme-challenge/'] };
const tls = { certificate: '/etc/ssl/shop.pem', key: '/etc/ssl/shop.key', redirect: true };

/** Renders the case and checks that each expected fragment (a run of whole lines) appears, and none of the absent ones. */
const renders = test.macro({
  exec(t, s: SiteModel, o: ServerBlockOptions, present: string[], absent: (string | RegExp)[] = []) {
    const out = renderServerBlock(s, o);
    for (const frag of present) t.true(out.includes(frag), `missing:\n${frag}\n--- in ---\n${out}`);
    for (const a of absent) t.false(typeof a === 'string' ? out.includes(a) : a.test(out), `unexpected ${a}\n--- in ---\n${out}`);
  },
  title: (name = '') => `renders ${name}`,
});

test('proxy to a unix socket', renders, site({ upstream: gunicorn }), {}, [
  'server {\n    listen 80;\n    listen [::]:80;\n    server_name web1;\n    client_max_body_size 10m;\n',
  '    location / {\n        include proxy_params;\n        proxy_pass http://unix:/run/gunicorn.sock;\n    }\n}\n',
], ['default_server', 'auth_basic', 'ssl', 'acme-challenge']);

test('proxy to host:port', renders, site({ upstream: { protocol: 'http', address: '127.0.0.1:8000' } }), {}, [
  '        include proxy_params;\n        proxy_pass http://127.0.0.1:8000;\n',
]);

test('uwsgi_pass', renders, site({ upstream: { protocol: 'uwsgi', address: 'unix:/run/uwsgi/shop.sock' } }), {}, [
  '    location / {\n        include uwsgi_params;\n        uwsgi_pass unix:/run/uwsgi/shop.sock;\n    }\n',
], ['proxy_pass', 'proxy_params']);

test('no upstream: 404 at /', renders, site(), {}, ['    location / {\n        return 404;\n    }\n']);

test('static locations with alias and expires', renders, site({
  upstream: gunicorn,
  staticLocations: [{ path: '/static/', alias: '/srv/shop/shared/static/', maxAge: 2592000 }, { path: '/docs/', alias: '/srv/docs' }],
}), {}, [
  '    location /static/ {\n        alias /srv/shop/shared/static/;\n        expires 2592000s;\n    }\n',
  // a prefix with a trailing slash gets an alias with one
  '    location /docs/ {\n        alias /srv/docs/;\n    }\n',
]);

test('quiet favicon and robots.txt (default on)', renders, site(), {}, [
  '    location = /favicon.ico { access_log off; log_not_found off; }\n    location = /robots.txt { access_log off; log_not_found off; }\n',
]);
test('quietFavicon: false', renders, site(), { quietFavicon: false }, [], ['favicon']);

test('options: body size, default_server, no ipv6, extra lines, several names', renders,
  site({ serverNames: ['shop.example.com', 'www.shop.example.com'] }),
  { clientMaxBodySize: '100m', defaultServer: true, ipv6: false, extraConfig: ['gzip on;'] }, [
    '    listen 80 default_server;\n    server_name shop.example.com www.shop.example.com;\n    client_max_body_size 100m;\n',
    '    gzip on;\n}\n',
  ], ['[::]']);

test('auth_basic with exempt health path (same upstream) and open ACME path', renders,
  site({ upstream: gunicorn, auth, acmeWebroot: '/var/www/acme' }), {}, [
    '    auth_basic "Restricted";\n    auth_basic_user_file /etc/nginx/htpasswd/shop;\n',
    '    location ^~ /.well-known/acme-challenge/ {\n        root /var/www/acme;\n        auth_basic off;\n    }\n',
    '    location = /health/ {\n        auth_basic off;\n        include proxy_params;\n        proxy_pass http://unix:/run/gunicorn.sock;\n    }\n',
  ]);

test('auth: the health path of the site model is open, even when the wall was contributed before the app set it', renders,
  site({ upstream: gunicorn, auth, healthPath: '/healthz' }), {}, [
    '    location = /health/ {\n        auth_basic off;\n',
    '    location = /healthz {\n        auth_basic off;\n        include proxy_params;\n        proxy_pass http://unix:/run/gunicorn.sock;\n    }\n',
  ]);

test('no wall: the health path gets no location of its own', renders, site({ upstream: gunicorn, healthPath: '/healthz' }), {}, [], ['healthz', 'auth_basic']);

test('auth exemption of a static location turns auth off there', renders,
  site({ upstream: gunicorn, auth: { ...auth, exempt: ['/static/'] }, staticLocations: [{ path: '/static/', alias: '/s/' }] }), {}, [
    '    location /static/ {\n        alias /s/;\n        auth_basic off;\n    }\n',
  ], ['location = /static/']);

test('ACME webroot without TLS', renders, site({ upstream: gunicorn, acmeWebroot: '/var/www/acme' }), {}, [
  '    location ^~ /.well-known/acme-challenge/ {\n        root /var/www/acme;\n    }\n',
]);

test('TLS: 443 server plus a port-80 server that redirects except the ACME path, HSTS', renders,
  site({ upstream: gunicorn, acmeWebroot: '/var/www/acme', tls: { ...tls, hsts: 31536000 } }), {}, [
    'server {\n    listen 80;\n    listen [::]:80;\n    server_name web1;\n\n    location ^~ /.well-known/acme-challenge/ {\n        root /var/www/acme;\n    }\n    location / {\n        return 301 https://$host$request_uri;\n    }\n}\n',
    'server {\n    listen 443 ssl;\n    listen [::]:443 ssl;\n    server_name web1;\n    ssl_certificate /etc/ssl/shop.pem;\n    ssl_certificate_key /etc/ssl/shop.key;\n',
    '    add_header Strict-Transport-Security "max-age=31536000" always;\n',
  ]);

test('TLS without redirect: one server on both ports', renders, site({ upstream: gunicorn, tls: { ...tls, redirect: false } }), { defaultServer: true }, [
  'server {\n    listen 80 default_server;\n    listen [::]:80 default_server;\n    listen 443 ssl default_server;\n    listen [::]:443 ssl default_server;\n',
], ['return 301', 'Strict-Transport-Security']);

test('values with spaces are quoted', renders, site({ staticLocations: [{ path: '/media/', alias: '/srv/my media/' }] }), {}, [
  '        alias "/srv/my media/";\n',
]);

const rejects = test.macro({
  exec(t, s: SiteModel, o: ServerBlockOptions, message: RegExp) {
    const e = t.throws(() => renderServerBlock(s, o));
    t.regex(e!.message, message);
    t.is((e as { code?: string }).code, 'E_OPTIONS');
  },
  title: (name = '') => `refuses ${name}`,
});

test('a $ in an alias (nginx variables)', rejects, site({ staticLocations: [{ path: '/x/', alias: '/srv/$host/' }] }), {}, /staticLocations.alias/);
test('a quote in the realm', rejects, site({ auth: { ...auth, realm: 'say "hi"' } }), {}, /auth.realm/);
test('a newline in extra config', rejects, site(), { extraConfig: ['a;\nb;'] }, /extraConfig/);
test('a location path with a brace', rejects, site({ staticLocations: [{ path: '/x/{', alias: '/s/' }] }), {}, /staticLocations.path/);
test('an upstream address with a semicolon', rejects, site({ upstream: { protocol: 'http', address: '127.0.0.1:80; evil' } }), {}, /upstream.address/);
test('the same static path twice', rejects, site({ staticLocations: [{ path: '/s/', alias: '/a/' }, { path: '/s/', alias: '/b/' }] }), {}, /listed twice/);
