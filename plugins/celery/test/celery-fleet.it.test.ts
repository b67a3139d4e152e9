/**
 * celery beat on one host of an env of two real Debian hosts, both running the worker. The app is a
 * stand-in (its model only; no release is deployed, so the units are written and enabled but wait for
 * `current` to start). Beat goes to the first celery host; `beat.on` moves it to the other, and the
 * first host's beat unit is then disabled and removed (`disable --now`); each configure twice (0 changed).
 * Fails (never skips) when the hosts cannot boot.
 */
import test from 'ava';
import { definePlugin, type Plugin } from '@runbook/core';
import { boot, checkoutSet, type ConfigureOptions, demoApp, explain, type Harness } from '@runbook/testing';
import { celery, type CeleryPluginOptions } from '../src/index.js';

let h: Harness;
let names: string[] = [];
/** Stands in for @runbook/app: the app model, as root (no user to create for units that never start here). */
const app: Plugin = definePlugin({ name: 'app', contribute: (site) => void (site.app = { ...demoApp, user: 'root', group: 'root' }) });
const plugins = (o: CeleryPluginOptions = {}): Plugin[] => [app, celery({ packages: [], broker: 'redis://127.0.0.1:6379/0', on: 'worker', beat: true, ...o })];
const fleet = (): ConfigureOptions['fleet'] => names.map((host) => ({ host, groups: ['worker'] }));
const beatUnit = (host: string) => h.ssh('systemctl is-enabled celery-beat-demo.service 2>&1; test -e /etc/systemd/system/celery-beat-demo.service && echo file || echo no-file', { host });

test.before(async () => {
  h = await boot(checkoutSet('itcelfleet'), { count: 2 });
  names = h.hosts.hosts.map((x) => x.name);
});
test.after.always(async () => {
  await h?.close();
});

test.serial('beat on the first celery host only; the worker on both; then 0 changed', async (t) => {
  const first = await h.configure(plugins(), { fleet: fleet() });
  t.is(first.result.exitCode, 0, explain(first));
  t.is(await beatUnit(names[0]), 'enabled\nfile');
  t.regex(await beatUnit(names[1]), /no-file$/);
  for (const host of names) t.is(await h.ssh('systemctl is-enabled celery-demo.service', { host }), 'enabled', host);
  t.is((await h.configure(plugins(), { fleet: fleet() })).changed, 0);
});

test.serial('beat.on moves it: the first host\'s beat unit is disabled and removed; then 0 changed', async (t) => {
  const moved = await h.configure(plugins({ beat: { on: names[1] } }), { fleet: fleet() });
  t.is(moved.result.exitCode, 0, explain(moved));
  t.deepEqual(moved.tasks.filter((e) => e.task === 'command.run' && e.status === 'changed' && !e.handler).map((e) => [e.host, e.title]), [
    [names[0], `no celery-beat-demo.service here (beat runs on ${names[1]})`],
  ]);
  t.is(await beatUnit(names[1]), 'enabled\nfile');
  t.regex(await beatUnit(names[0]), /no-file$/);
  t.is(await h.ssh('systemctl is-enabled celery-demo.service', { host: names[0] }), 'enabled', 'the worker stays');
  t.is((await h.configure(plugins({ beat: { on: names[1] } }), { fleet: fleet() })).changed, 0);
});
