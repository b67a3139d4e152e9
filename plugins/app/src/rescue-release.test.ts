import test from 'ava';
import type { AppState } from './app-state.js';
import { rescueReleaseType } from './rescue-release.js';

const root = '/srv/a';
const o = { root, id: 'r3', owner: 'a', group: 'a', units: ['gunicorn.service'], who: 'ann@laptop', time: '2026-11-24T06:11:00Z' };
const lock = (release: string, previous?: string): AppState['lock'] => ({ since: 1, info: { release, who: 'ann@laptop', since: 'x', command: 'run' }, previous });
const state = (s: Partial<AppState>): AppState => ({ root: true, releases: ['r2', 'r3'], records: { r2: { id: 'r2', status: 'ok' } }, revision: 'c3', ...s });
const plan = test.macro((t, s: AppState, expected: unknown) => {
  const p = rescueReleaseType.check({ state: s }, o, {} as never);
  t.deepEqual('noop' in p ? p : p.changes, expected);
});

test('switched by this run: back to the previous release, restart, release removed, failed', plan,
  state({ current: `${root}/releases/r3`, lock: lock('r3', `${root}/releases/r2`) }),
  [`switch current back: ${root}/releases/r3 → ${root}/releases/r2`, 'restart gunicorn.service', 'remove release r3', 'record release r3 as failed']);
test('failed before the switch: release removed, recorded', plan, state({ current: `${root}/releases/r2`, lock: lock('r3') }), ['remove release r3', 'record release r3 as failed']);
test('failed before its directory was made (free space): only recorded', plan, state({ releases: ['r2'], current: `${root}/releases/r2`, lock: lock('r3') }), ['record release r3 as failed']);
test('the first release ever: current removed, then the release', plan,
  state({ current: `${root}/releases/r3`, lock: lock('r3', '') }),
  ['remove current (there was none before r3)', 'restart gunicorn.service', 'remove release r3', 'record release r3 as failed']);
test('a second deploy of a good release that stays current: not removed', plan,
  state({ current: `${root}/releases/r3`, lock: lock('r3'), records: { r3: { id: 'r3', status: 'ok' } } }),
  ['record release r3 as failed']);
test('another run holds the lock: nothing touched', plan, state({ current: `${root}/releases/r3`, lock: lock('r1', '') }),
  { noop: "the deploy lock is not this run's (held by ann@laptop for r1): nothing touched" });
test('no lock at all (the lock task failed): nothing touched', plan, state({}), { noop: "the deploy lock is not this run's (held by nobody): nothing touched" });

test('the commands: guarded switch back, restart, guarded removal, then the record', (t) => {
  const s = state({ current: `${root}/releases/r3`, lock: lock('r3', `${root}/releases/r2`) });
  const p = rescueReleaseType.check({ state: s }, o, {} as never);
  if ('noop' in p) return t.fail();
  const cmds = rescueReleaseType.apply(p, o, {} as never);
  t.deepEqual(cmds.map((c) => c.display), [`ln -sfn ${root}/releases/r2 ${root}/current`, 'systemctl restart gunicorn.service', `rm -rf ${root}/releases/r3`, 'record release r3 failed']);
  t.regex(cmds[0].script, /\[ "\$cur" = \/srv\/a\/releases\/r3 \] \|\| \{ echo .* changed since its facts were read/);
  t.is(cmds[2].script, `[ "$(readlink -- /srv/a/current || :)" = /srv/a/releases/r3 ] || rm -rf -- /srv/a/releases/r3`);
  t.regex(cmds[3].script, /"id":"r3","commit":"c3","status":"failed","deployedAt":"2026-11-24T06:11:00Z","deployedBy":"ann@laptop"/);
});
