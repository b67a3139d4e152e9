import test from 'ava';
import { definePlugin, RunbookError, type Plugin, type Task } from '@runbook/core';
import { demoApp, pluginContext, type FleetEntry } from '@runbook/testing';
import { celery, type CeleryPluginOptions } from './celery.js';

/** Stand-ins: the app everywhere; a broker on the data host (its own unit there, only a URL elsewhere), as @runbook/dragonfly does. */
const app: Plugin = definePlugin({ name: 'app', contribute: (site) => void (site.app = { ...demoApp }) });
const broker: Plugin = definePlugin({
  name: 'dragonfly',
  on: 'data',
  contribute: (site) => void (site.broker = { url: 'redis://127.0.0.1:6379/0', unit: 'dragonfly.service' }),
  offer: (site) => void (site.broker = { url: 'redis://10.0.1.11:6379/0' }),
});
const env: FleetEntry[] = [
  { alias: 'data-1', groups: ['data'], address: '10.0.1.11' },
  { alias: 'web-1', groups: ['web'], address: '10.0.1.12' },
  { alias: 'worker-1', groups: ['worker'], address: '10.0.1.13' },
  { alias: 'worker-2', groups: ['worker'], address: '10.0.1.14' },
];
const on = (hostname: string, o: CeleryPluginOptions) => {
  const p = celery({ packages: [], on: 'worker,data', ...o });
  const ctx = pluginContext({ hostname, fleet: env, plugins: [app, broker, p] });
  return { ctx, tasks: p.configure!(ctx), reload: p.deploy!(ctx).reload!.map((t: Task) => t.title) };
};
const titles = (tasks: Task[]) => tasks.map((t) => `${t.type.name} ${t.title}`);

test('beat on the first host celery runs on (inventory order); the others have no beat unit (removed if there)', (t) => {
  const data = on('data-1', { beat: true });
  t.deepEqual(titles(data.tasks), [
    'systemd.unit celery-demo.service',
    'file.directory /srv/demo/shared/celerybeat',
    'systemd.unit celery-beat-demo.service',
    'command.run start celery-demo.service once a release is live',
    'command.run start celery-beat-demo.service once a release is live',
  ]);
  t.deepEqual(data.ctx.site.reloadUnits, ['celery-demo.service', 'celery-beat-demo.service']);
  for (const host of ['worker-1', 'worker-2']) {
    const w = on(host, { beat: true });
    t.deepEqual(titles(w.tasks), [
      'systemd.unit celery-demo.service',
      'command.run no celery-beat-demo.service here (beat runs on data-1)',
      'command.run start celery-demo.service once a release is live',
    ], host);
    t.deepEqual(w.ctx.site.reloadUnits, ['celery-demo.service']);
    t.deepEqual(w.reload, ['celery-demo.service']);
  }
});

test('beat.on names the host: an alias, or a group (its first celery host)', (t) => {
  t.true(titles(on('worker-2', { beat: { on: 'worker-2' } }).tasks).includes('systemd.unit celery-beat-demo.service'));
  t.true(titles(on('data-1', { beat: { on: 'worker-2' } }).tasks).includes('command.run no celery-beat-demo.service here (beat runs on worker-2)'));
  t.true(titles(on('worker-1', { beat: { on: 'worker' } }).tasks).includes('systemd.unit celery-beat-demo.service'));
  t.false(titles(on('worker-2', { beat: { on: 'worker' } }).tasks).includes('systemd.unit celery-beat-demo.service'));
});

test('the removal only runs where a unit file is left: stop, disable, remove, daemon-reload', (t) => {
  const removal = on('worker-1', { beat: true }).tasks[1];
  t.like(removal.options, { removes: '/etc/systemd/system/celery-beat-demo.service' });
  t.regex((removal.options as { run: string }).run, /^systemctl disable --now -- celery-beat-demo\.service\nrm -f -- \/etc\/systemd\/system\/celery-beat-demo\.service\nsystemctl daemon-reload\n/);
});

test('without beat nothing about beat anywhere', (t) => {
  for (const host of ['data-1', 'worker-1']) t.deepEqual(titles(on(host, {}).tasks), ['systemd.unit celery-demo.service', 'command.run start celery-demo.service once a release is live']);
});

test('beat.on a host celery does not run on, or no host at all: E_CONFIG naming the celery hosts', (t) => {
  const e = t.throws(() => on('worker-1', { beat: { on: 'web-1' } }), { instanceOf: RunbookError });
  t.is(e!.code, 'E_CONFIG');
  t.regex(e!.message, /beat\.on "web-1" names no host celery runs on \(celery runs on data-1, worker-1, worker-2\)/);
  t.throws(() => on('worker-1', { beat: { on: 'wrker-*' } }), { message: /on "wrker-\*" names no host or group of this env/ });
});

test('beat.on: a bad value is E_OPTIONS when the plugin is made', (t) => {
  const e = t.throws(() => celery({ beat: { on: '' } }), { instanceOf: RunbookError });
  t.is(e!.details.key, 'beat.on');
  t.throws(() => celery({ beat: { on: [3] as never } }), { message: /beat\.on must be a host alias, group or glob/ });
});

test('the worker orders itself After= the broker only where the broker runs', (t) => {
  const unit = (host: string) => ((on(host, {}).tasks[0].options as { content: string }).content.match(/^After=.*$/m) ?? [''])[0];
  t.is(unit('data-1'), 'After=network.target dragonfly.service');
  t.is(unit('worker-1'), 'After=network.target');
});

test('outside an env (no fleet) beat runs here, as before', (t) => {
  const p = celery({ packages: [], beat: true });
  const ctx = pluginContext({ plugins: [app, p] });
  t.true(titles(p.configure!(ctx)).includes('systemd.unit celery-beat-demo.service'));
});
