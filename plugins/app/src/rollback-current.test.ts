import test from 'ava';
import type { AppState } from './app-state.js';
import { rollbackCurrentType, rollbackTarget } from './rollback-current.js';

const root = '/srv/a';
const s: AppState = {
  root: true,
  current: `${root}/releases/r4`,
  releases: ['r1', 'r2', 'r3', 'r4'],
  records: { r1: { id: 'r1', status: 'ok' }, r2: { id: 'r2', status: 'ok' }, r3: { id: 'r3', status: 'failed' }, r4: { id: 'r4', status: 'ok' } },
};

test('the newest good release before the current one (failed ones skipped)', (t) => t.is(rollbackTarget(s, root), 'r2'));
test('--to an existing release, also a newer one', (t) => {
  t.is(rollbackTarget(s, root, 'r1'), 'r1');
  t.is(rollbackTarget({ ...s, current: `${root}/releases/r1` }, root, 'r4'), 'r4');
});
test('--to a release that does not exist lists the releases', (t) => {
  t.throws(() => rollbackTarget(s, root, 'r9'), { message: 'cannot roll back to r9: no such release; releases on this host: r1 (ok), r2 (ok), r3 (failed), r4 (current, ok)' });
});
test('no good release before the current one', (t) => {
  t.throws(() => rollbackTarget({ ...s, current: `${root}/releases/r1` }, root), { message: /no good release before r1 to roll back to; .* \(choose one with --to\)/ });
  t.throws(() => rollbackTarget({ ...s, current: undefined }, root), { message: /nothing to roll back: current points at no release/ });
});
test('plan: switch, or nothing when already there', (t) => {
  const o = { root, owner: 'a', group: 'a' };
  t.deepEqual(rollbackCurrentType.check({ state: s }, o, {} as never), {
    changes: [`roll back current: ${root}/releases/r4 → ${root}/releases/r2`],
    state: { from: `${root}/releases/r4`, to: `${root}/releases/r2` },
  });
  t.deepEqual(rollbackCurrentType.check({ state: s }, { ...o, to: 'r4' }, {} as never), { noop: `current → ${root}/releases/r4` });
});
