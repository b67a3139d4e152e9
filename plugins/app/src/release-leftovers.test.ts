import test from 'ava';
import type { AppState, ReleaseRecord } from './app-state.js';
import { findLeftovers, releaseLeftoversType } from './release-leftovers.js';

const root = '/srv/a';
/** releases: id → [has a REVISION, record status or null] */
const state = (current: string | undefined, releases: Record<string, [boolean, ReleaseRecord['status'] | null]>, temps?: string[]): AppState => ({
  root: true,
  current: current && `${root}/releases/${current}`,
  releases: Object.keys(releases).sort(),
  complete: Object.keys(releases).filter((id) => releases[id][0]),
  records: Object.fromEntries(Object.entries(releases).filter(([, [, s]]) => s).map(([id, [, status]]) => [id, { id, status: status! }])),
  ...(temps ? { temps } : {}),
});

const found = test.macro((t, s: AppState, id: string, expected: ReturnType<typeof findLeftovers>) => t.deepEqual(findLeftovers(s, root, id), expected));
test('whole, recorded releases stay (ok and rolled back alike)', found, state('r2', { r1: [true, 'rolled-back'], r2: [true, 'ok'] }), 'r3', { releases: [], temps: [] });
test('no REVISION: code never arrived whole', found, state('r1', { r1: [true, 'ok'], r2: [false, null] }), 'r3', { releases: ['r2'], temps: [] });
test('a REVISION but no record: its deploy never finished', found, state('r1', { r1: [true, 'ok'], r2: [true, null] }), 'r3', { releases: ['r2'], temps: [] });
test('recorded failed', found, state('r1', { r1: [true, 'ok'], r2: [true, 'failed'] }), 'r3', { releases: ['r2'], temps: [] });
test('never current, even unrecorded (killed after the switch)', found, state('r2', { r1: [true, 'ok'], r2: [true, null] }), 'r3', { releases: [], temps: [] });
test("never this run's release (a second deploy of an id resumes it)", found, state('r1', { r1: [true, 'ok'], r3: [false, null] }), 'r3', { releases: [], temps: [] });
test('temp dirs of a killed code fetch', found, state('r1', { r1: [true, 'ok'] }, ['.rb.Ab12Cd']), 'r3', { releases: [], temps: ['.rb.Ab12Cd'] });

test('plan and commands: each leftover with its reason, removal re-tested against current', (t) => {
  const o = { root, id: 'r4' };
  const s = state('r1', { r1: [true, 'ok'], r2: [false, null], r3: [true, 'failed'] }, ['.rb.x']);
  const p = releaseLeftoversType.check({ state: s }, o, {} as never);
  if ('noop' in p) return t.fail();
  t.deepEqual(p.changes, ['remove release r2 (incomplete: no REVISION)', 'remove release r3 (recorded failed)', 'remove temp dir releases/.rb.x']);
  const [cmd] = releaseLeftoversType.apply(p, o, {} as never);
  t.is(cmd.display, 'rm -rf releases/r2 releases/r3 releases/.rb.x');
  t.regex(cmd.script, /\[ "\$cur" = \/srv\/a\/releases\/r2 \] \|\| rm -rf -- \/srv\/a\/releases\/r2/);
  t.deepEqual(releaseLeftoversType.check({ state: state('r1', { r1: [true, 'ok'] }) }, o, {} as never), { noop: 'no release directory left half done' });
  t.deepEqual(releaseLeftoversType.check({ state: { root: false, releases: [], records: {} } }, o, {} as never), { noop: '/srv/a does not exist yet' });
});
