import test from 'ava';
import { emptySiteModel, secret, type PluginContext, type SiteModel, type Task } from '@runbook/core';
import { demoApp } from '@runbook/testing';
import { celery } from './celery.js';

const siteWithApp = (): SiteModel => ({ ...emptySiteModel('web-1'), app: { ...demoApp } });
const ctx = (site: SiteModel) => ({ site }) as unknown as PluginContext;
const summary = (t: Task) => [t.type.name, t.title];

test('contribute: the worker to restart; the broker option goes into the .env', (t) => {
  const site = siteWithApp();
  celery({ broker: 'redis://127.0.0.1:6379/0' }).contribute!(site, ctx(site));
  t.deepEqual(site.reloadUnits, ['celery-demo.service']);
  t.is(site.env.CELERY_BROKER_URL, 'redis://127.0.0.1:6379/0');
});

test('the units are named after the app, with one app or several: two apps on a host get their own worker and beat', (t) => {
  const [api, admin] = ['api', 'admin'].map((name) => ({ ...emptySiteModel('web-1'), app: { ...demoApp, name } }));
  const p = celery({ beat: true, broker: 'redis://127.0.0.1:6379/0' });
  for (const site of [api, admin]) p.contribute!(site, ctx(site));
  t.deepEqual(api.reloadUnits, ['celery-api.service', 'celery-beat-api.service']);
  t.deepEqual(admin.claims.map((c) => c.name), ['unit celery-admin.service', 'unit celery-beat-admin.service']);
  t.deepEqual(Object.keys(p.handlers!(ctx(admin))), ['restart celery-admin.service', 'restart celery-beat-admin.service']);
});

test('contribute: the broker from the site model (dragonfly), a secret kept a secret; beat restarts too', (t) => {
  const site = siteWithApp();
  const url = secret('redis://:pw@127.0.0.1:6379/0', 'BROKER');
  site.broker = { url, unit: 'dragonfly.service' };
  celery({ beat: true }).contribute!(site, ctx(site));
  t.is(site.env.CELERY_BROKER_URL, url);
  t.deepEqual(site.reloadUnits, ['celery-demo.service', 'celery-beat-demo.service']);
  // a value already in site.env (dragonfly's) stays; the option would win
  const other = siteWithApp();
  other.broker = { url: 'redis://a:1/0' };
  other.env.CELERY_BROKER_URL = 'redis://b:2/0';
  celery().contribute!(other, ctx(other));
  t.is(other.env.CELERY_BROKER_URL, 'redis://b:2/0');
});

test('contribute: no app is a clear error', (t) => {
  const site = emptySiteModel('web-1');
  t.throws(() => celery().contribute!(site, ctx(site)), { message: /^celery needs the app in the site model/ });
});

test('bad options fail when the plugin is made', (t) => {
  t.throws(() => celery({ concurrency: -1 }), { message: /concurrency must be/ });
  t.throws(() => celery({ packages: ['Bad Name'] }), { message: /packages must be/ });
  const e = t.throws(() => celery({ pakages: [] } as never), { message: /^celery: unknown option "pakages"; did you mean "packages"\? allowed: on, packages, app, / });
  t.is((e as { code?: string }).code, 'E_OPTIONS');
  t.notThrows(() => celery({ on: 'worker', packages: [], beat: { on: 'worker-2' } }));
});

test('configure: packages, worker; with beat its schedule dir and unit, ordered after the broker', (t) => {
  const site = siteWithApp();
  site.broker = { url: 'redis://127.0.0.1:6379/0', unit: 'dragonfly.service' };
  const tasks = celery({ beat: true }).configure!(ctx(site));
  t.deepEqual(tasks.map(summary), [
    ['apt.packages', 'python3-celery python3-redis'],
    ['systemd.unit', 'celery-demo.service'],
    ['file.directory', '/srv/demo/shared/celerybeat'],
    ['systemd.unit', 'celery-beat-demo.service'],
    ['command.run', 'start celery-demo.service once a release is live'],
    ['command.run', 'start celery-beat-demo.service once a release is live'],
  ]);
  t.like(tasks[1].options, { enabled: true, state: undefined });
  t.deepEqual([...tasks[1].notify], ['restart celery-demo.service']);
  t.regex(String(tasks[1].options.content), /^After=network.target dragonfly.service$/m);
  // before the first deploy there is no current (the working directory): the start waits for it
  t.like(tasks[4].options, { run: ['systemctl', 'start', '--', 'celery-demo.service'], unless: 'systemctl is-active --quiet -- celery-demo.service', onlyIf: 'test -e /srv/demo/current' });
  t.deepEqual(celery({ packages: [] }).configure!(ctx(siteWithApp())).map(summary), [
    ['systemd.unit', 'celery-demo.service'],
    ['command.run', 'start celery-demo.service once a release is live'],
  ]);
});

test('handlers: a changed unit file restarts the unit if it runs', (t) => {
  const handlers = celery({ beat: true }).handlers!(ctx(siteWithApp()));
  t.deepEqual(Object.fromEntries(Object.entries(handlers).map(([k, v]) => [k, v.options.run])), {
    'restart celery-demo.service': ['systemctl', 'try-restart', '--', 'celery-demo.service'],
    'restart celery-beat-demo.service': ['systemctl', 'try-restart', '--', 'celery-beat-demo.service'],
  });
});

test('deploy: restart worker and beat in the reload stage', (t) => {
  const staged = celery({ beat: { unit: 'beat' } }).deploy!(ctx(siteWithApp()));
  t.deepEqual(Object.keys(staged), ['reload']);
  t.deepEqual(staged.reload!.map((x) => [x.options.name, x.options.state]), [['celery-demo.service', 'restarted'], ['beat.service', 'restarted']]);
});
