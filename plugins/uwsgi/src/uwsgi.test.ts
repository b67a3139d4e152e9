import test from 'ava';
import { emptySiteModel, type PluginContext, type SiteModel, type Task } from '@runbook/core';
import { demoApp } from '@runbook/testing';
import { uwsgi } from './uwsgi.js';

const siteWithApp = (): SiteModel => ({ ...emptySiteModel('web-1'), app: { ...demoApp } });
const ctx = (site: SiteModel) => ({ site }) as unknown as PluginContext;
const summary = (t: Task) => [t.type.name, t.title, [...t.notify]];

test('contribute: a uwsgi upstream on the unix socket, the service to reload', (t) => {
  const site = siteWithApp();
  uwsgi().contribute!(site, ctx(site));
  t.deepEqual(site.upstream, { protocol: 'uwsgi', address: 'unix:/run/uwsgi-demo/uwsgi.sock', unit: 'uwsgi-demo.service' });
  t.deepEqual(site.reloadUnits, ['uwsgi-demo.service']);
});

test('the unit is named after the app, with one app or several: two apps on a host get their own unit and socket', (t) => {
  const [api, admin] = ['api', 'admin'].map((name) => ({ ...emptySiteModel('web-1'), app: { ...demoApp, name } }));
  const p = uwsgi();
  for (const site of [api, admin]) p.contribute!(site, ctx(site));
  t.deepEqual([api, admin].map((s) => s.reloadUnits), [['uwsgi-api.service'], ['uwsgi-admin.service']]);
  t.deepEqual(admin.claims.map((c) => c.name), ['unit uwsgi-admin.service', 'socket /run/uwsgi-admin/uwsgi.sock']);
  t.deepEqual(Object.keys(p.handlers!(ctx(admin))), ['reload uwsgi-admin', 'restart uwsgi-admin']);
});

test('contribute: tcp socket, named unit', (t) => {
  const site = siteWithApp();
  uwsgi({ socket: '127.0.0.1:3031', unit: 'shop' }).contribute!(site, ctx(site));
  t.deepEqual(site.upstream, { protocol: 'uwsgi', address: '127.0.0.1:3031', unit: 'shop.service' });
  t.deepEqual(site.reloadUnits, ['shop.service']);
});

test('contribute: no app, no wsgi, a second app server: clear errors', (t) => {
  const empty = emptySiteModel('web-1');
  t.throws(() => uwsgi().contribute!(empty, ctx(empty)), { message: /^uwsgi needs the app in the site model/ });
  const noWsgi = siteWithApp();
  delete noWsgi.app!.wsgi;
  t.throws(() => uwsgi().contribute!(noWsgi, ctx(noWsgi)), { message: /site\.app\.wsgi/ });
  const two = siteWithApp();
  two.upstream = { protocol: 'http', address: 'unix:/run/gunicorn.sock' };
  t.throws(() => uwsgi().contribute!(two, ctx(two)), { message: /already has an upstream/ });
});

test('bad options fail when the plugin is made', (t) => {
  t.throws(() => uwsgi({ processes: 0 }), { message: /processes must be/ });
});

test('configure: packages, ini (notifies the reload handler), service enabled, started once a release is live', (t) => {
  const site = siteWithApp();
  const p = uwsgi();
  const tasks = p.configure!(ctx(site));
  t.deepEqual(tasks.map(summary), [
    ['apt.packages', 'uwsgi uwsgi-plugin-python3', []],
    ['file.directory', '/etc/uwsgi-demo', []],
    ['file.content', '/etc/uwsgi-demo/uwsgi.ini', ['reload uwsgi-demo']],
    ['systemd.unit', 'uwsgi-demo.service', ['restart uwsgi-demo']],
    ['command.run', 'start uwsgi-demo.service once a release is live', []],
  ]);
  t.like(tasks[3].options, { enabled: true, state: undefined });
  // before the first deploy there is no current to chdir into: the start waits for it
  t.like(tasks[4].options, { run: ['systemctl', 'start', '--', 'uwsgi-demo.service'], unless: 'systemctl is-active --quiet -- uwsgi-demo.service', onlyIf: 'test -e /srv/demo/current' });
  const handlers = p.handlers!(ctx(site));
  t.deepEqual(Object.keys(handlers), ['reload uwsgi-demo', 'restart uwsgi-demo']);
  t.deepEqual(handlers['reload uwsgi-demo'].options.run, ['systemctl', 'try-reload-or-restart', '--', 'uwsgi-demo.service']);
  t.deepEqual(handlers['restart uwsgi-demo'].options.run, ['systemctl', 'try-restart', '--', 'uwsgi-demo.service']);
});

test('deploy: a graceful reload in the reload stage', (t) => {
  const staged = uwsgi().deploy!(ctx(siteWithApp()));
  t.deepEqual(Object.keys(staged), ['reload']);
  t.like(staged.reload![0].options, { name: 'uwsgi-demo.service', state: 'reloaded' });
});
