import test from 'ava';
import { definePlugin, emptySiteModel, type Plugin, type PluginContext, type SiteModel, type Task } from '@runbook/core';
import { demoApp } from '@runbook/testing';
import { gunicorn } from './gunicorn.js';

const siteWithApp = (): SiteModel => ({ ...emptySiteModel('web-1'), app: { ...demoApp } });
const ctx = (site: SiteModel, plugins: Plugin[] = []) => ({ site, config: { plugins }, release: { id: 'r2', path: '/srv/demo/releases/r2' } }) as unknown as PluginContext;
/** stand-ins for app(): plugins that open a site */
const apps = (n: number) => Array.from({ length: n }, (_, i) => definePlugin({ name: 'app', opensSite: true, contribute: () => void i }));
const summary = (t: Task) => [t.type.name, t.title, [...t.notify]];

test('contribute: upstream on the unix socket, the service to reload', (t) => {
  const site = siteWithApp();
  gunicorn().contribute!(site, ctx(site));
  t.deepEqual(site.upstream, { protocol: 'http', address: 'unix:/run/gunicorn.sock', unit: 'gunicorn.service' });
  t.deepEqual(site.reloadUnits, ['gunicorn.service']);
});

test('contribute: tcp upstream, named unit', (t) => {
  const site = siteWithApp();
  gunicorn({ bind: '127.0.0.1:8000', unit: 'shop' }).contribute!(site, ctx(site));
  t.deepEqual(site.upstream, { protocol: 'http', address: '127.0.0.1:8000', unit: 'shop.service' });
  t.deepEqual(site.reloadUnits, ['shop.service']);
});

test('one app in the config: the units keep their plain name; several: gunicorn-<app>, its socket and /etc dir', (t) => {
  const one = siteWithApp();
  gunicorn().contribute!(one, ctx(one, apps(1)));
  t.deepEqual(one.reloadUnits, ['gunicorn.service']);
  t.deepEqual(one.claims.map((c) => c.name), ['unit gunicorn.service', 'unit gunicorn.socket', 'socket /run/gunicorn.sock']);

  const two = siteWithApp();
  const p = gunicorn();
  p.contribute!(two, ctx(two, apps(2)));
  const name = `gunicorn-${demoApp.name}`;
  t.deepEqual(two.upstream, { protocol: 'http', address: `unix:/run/${name}.sock`, unit: `${name}.service` });
  t.deepEqual(two.reloadUnits, [`${name}.service`]);
  t.deepEqual(p.configure!(ctx(two, apps(2))).map(summary).slice(1), [
    ['file.directory', `/etc/${name}`, []],
    ['file.content', `/etc/${name}/gunicorn.conf.py`, [`restart ${name}`]],
    ['systemd.unit', `${name}.service`, [`restart ${name}`]],
    ['systemd.unit', `${name}.socket`, []],
  ]);
  t.deepEqual(Object.keys(p.handlers!(ctx(two, apps(2)))), [`restart ${name}`]);
  t.like(p.deploy!(ctx(two, apps(2))).reload![0].options, { unit: `${name}.service` });
  // a unit named in the options stays as named
  const named = siteWithApp();
  gunicorn({ unit: 'web' }).contribute!(named, ctx(named, apps(2)));
  t.deepEqual(named.reloadUnits, ['web.service']);
});

test('contribute: no app is a clear error naming the plugin', (t) => {
  const site = emptySiteModel('web-1');
  const e = t.throws(() => gunicorn().contribute!(site, ctx(site)));
  t.regex(e!.message, /^gunicorn needs the app in the site model/);
});

test('contribute: asgi without site.app.asgi', (t) => {
  const site = siteWithApp();
  delete site.app!.asgi;
  t.throws(() => gunicorn({ asgi: true }).contribute!(site, ctx(site)), { message: /site\.app\.asgi/ });
});

test('contribute: a second app server is refused', (t) => {
  const site = siteWithApp();
  site.upstream = { protocol: 'uwsgi', address: 'unix:/run/uwsgi.sock' };
  t.throws(() => gunicorn().contribute!(site, ctx(site)), { message: /already has an upstream/ });
});

test('bad options fail when the plugin is made', (t) => {
  t.throws(() => gunicorn({ workers: 0 }), { message: /workers must be/ });
});

test('configure: packages, config, service, socket; changes notify the restart handler', (t) => {
  const site = siteWithApp();
  const p = gunicorn();
  t.deepEqual(p.configure!(ctx(site)).map(summary), [
    ['apt.packages', 'gunicorn', []],
    ['file.directory', '/etc/gunicorn', []],
    ['file.content', '/etc/gunicorn/gunicorn.conf.py', ['restart gunicorn']],
    ['systemd.unit', 'gunicorn.service', ['restart gunicorn']],
    ['systemd.unit', 'gunicorn.socket', []],
  ]);
  const handlers = p.handlers!(ctx(site));
  t.deepEqual(Object.keys(handlers), ['restart gunicorn']);
  t.deepEqual(handlers['restart gunicorn'].options.run, ['systemctl', 'try-restart', '--', 'gunicorn.service']);
  const socket = p.configure!(ctx(site))[4];
  t.like(socket.options, { enabled: true, state: 'started' });
});

test('configure: asgi adds python3-uvicorn', (t) => {
  const [apt] = gunicorn({ asgi: true }).configure!(ctx(siteWithApp()));
  t.deepEqual(apt.options.packages, ['gunicorn', 'python3-uvicorn']);
});

test('deploy: the reload stage reloads the service, deciding by the new release\'s venv (or as the reload option says)', (t) => {
  const site = siteWithApp();
  const staged = gunicorn().deploy!(ctx(site));
  t.deepEqual(Object.keys(staged), ['reload']);
  t.is(staged.reload![0].type.name, 'gunicorn.reload');
  t.deepEqual(staged.reload![0].options, { unit: 'gunicorn.service', venv: '/srv/demo/releases/r2/.venv', mode: 'auto', graceful: 30 });
  t.like(gunicorn({ reload: 'hup', gracefulTimeout: 5 }).deploy!(ctx(site)).reload![0].options, { unit: 'gunicorn.service', mode: 'hup', graceful: 5 });
  t.throws(() => gunicorn().deploy!({ ...ctx(site), release: undefined }), { message: /gunicorn: deploy needs a release/ });
});

test('rollback: left to the app plugin, which restarts site.reloadUnits when it switched', (t) => {
  t.is(gunicorn().rollback, undefined);
});
