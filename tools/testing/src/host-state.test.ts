/**
 * The host state answers @runbook/system's own fact commands: each primitive, run through core's
 * executor on a fake host, finds a stated host as stated (a no-op), and a host that differs changed.
 */
import test from 'ava';
import { apt, command, directory, file, symlink, systemdUnit } from '@runbook/system';
import { fakeHost } from './fake-host.js';
import type { HostState } from './host-state.js';

const CONF = '/etc/demo/it\'s.conf';
const stated: HostState = {
  files: { [CONF]: { content: 'a=1\n', mode: '0600', owner: 'www-data', group: 'www-data' }, '/etc/motd': 'hi\n' },
  directories: { '/etc/demo': { mode: '0750', owner: 'www-data' } },
  symlinks: { '/srv/current': '/srv/releases/1' },
  units: { 'demo.service': { active: true, enabled: true } },
  packages: ['supervisor'],
};
const wanted = [
  file({ path: CONF, content: 'a=1\n', mode: '0600', owner: 'www-data', group: 'www-data' }),
  file({ path: '/etc/motd', content: 'hi\n' }),
  directory({ path: '/etc/demo', mode: '0750', owner: 'www-data' }),
  symlink({ path: '/srv/current', target: '/srv/releases/1' }),
  systemdUnit({ name: 'demo.service', enabled: true, state: 'started' }),
  apt({ packages: ['supervisor'] }),
];

test('a host as stated: every primitive is a no-op, in one exec', async (t) => {
  const host = fakeHost({ state: stated });
  const r = await host.run(wanted);
  t.deepEqual(r.statuses, wanted.map(() => 'ok'), JSON.stringify(r.results.map((x) => x.error ?? x.reason)));
  t.is(r.execs, 1);
  t.true(host.factsRead.some((f) => f.startsWith('p1=')), 'the paths were read by the grouped fact');
});

test('one task alone reads its single fact command, answered the same', async (t) => {
  const host = fakeHost({ state: stated });
  const r = await host.run([file({ path: CONF, content: 'a=1\n', mode: '0600', owner: 'www-data', group: 'www-data' })]);
  t.deepEqual(r.statuses, ['ok'], r.results[0].error?.message);
  t.regex(host.factsRead[0], /^p=/);
});

const differs = test.macro(async (t, state: HostState, task: (typeof wanted)[number], changes: string[]) => {
  const r = await fakeHost({ state: { ...stated, ...state } }).run([task], { check: true });
  t.deepEqual(r.statuses, ['changed'], r.results[0].error?.message ?? r.results[0].reason);
  t.deepEqual(r.results[0].changes, changes);
});
test('a file with other content: a diff from the stated content', async (t) => {
  const r = await fakeHost({ state: { files: { '/etc/motd': 'old\n' } } }).run([file({ path: '/etc/motd', content: 'hi\n' })], { check: true });
  t.is(r.results[0].diff, '--- /etc/motd\n+++ /etc/motd\n@@ -1 +1 @@\n-old\n+hi\n');
});
test('a file of another mode', differs, { files: { [CONF]: { content: 'a=1\n', mode: '0644', owner: 'www-data', group: 'www-data' } } }, wanted[0], ['mode 0644 → 0600']);
test('no directory', differs, { directories: [] }, wanted[2], ['create /etc/demo (mode 0750, owner www-data)']);
test('a symlink elsewhere', differs, { symlinks: { '/srv/current': '/srv/releases/0' } }, wanted[3], ['relink /srv/current: /srv/releases/0 → /srv/releases/1']);
test('a stopped, disabled unit', differs, { units: { 'demo.service': {} } }, wanted[4], ['enable demo.service', 'start demo.service']);
test('a package not installed', differs, { packages: [] }, wanted[5], ['install supervisor']);

test('a unit not stated is not found; other commands get no answer', async (t) => {
  const r = await fakeHost({ state: {} }).run([systemdUnit({ name: 'nope.service', state: 'started' })]);
  t.deepEqual(r.statuses, ['failed']);
  t.regex(r.results[0].error?.message ?? '', /nope\.service/);
  const other = await fakeHost({ state: {} }).run([command({ run: ['true'], unless: 'test -e /x' })]);
  t.deepEqual(other.statuses, ['failed']);
  t.regex(other.results[0].error?.message ?? '', /no answer for the fact command:\ntest -e \/x/);
});

test('onApply may change the state: the second run sees it', async (t) => {
  const state: HostState = { packages: [] };
  const host = fakeHost({ state, onApply: () => void (state.packages = ['supervisor']) });
  t.deepEqual((await host.run([apt({ packages: 'supervisor' })])).statuses, ['changed']);
  t.deepEqual((await host.run([apt({ packages: 'supervisor' })])).statuses, ['ok']);
});
