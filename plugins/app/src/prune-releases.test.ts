import test from 'ava';
import type { AppState, ReleaseRecord } from './app-state.js';
import { releasesToPrune } from './prune-releases.js';

const root = '/srv/a';
const state = (current: string | undefined, statuses: Record<string, ReleaseRecord['status'] | null>): AppState => ({
  root: true,
  current: current && `${root}/releases/${current}`,
  releases: Object.keys(statuses).sort(),
  records: Object.fromEntries(Object.entries(statuses).filter(([, s]) => s).map(([id, status]) => [id, { id, status: status! }])),
});

const prune = test.macro((t, s: AppState, keep: number, expected: string[]) => t.deepEqual(releasesToPrune(s, root, keep), expected));
test('keeps the newest good ones', prune, state('r4', { r1: 'ok', r2: 'ok', r3: 'ok', r4: 'ok' }), 2, ['r1', 'r2']);
test('failed, rolled back and unrecorded releases go', prune, state('r5', { r1: 'ok', r2: 'rolled-back', r3: 'failed', r4: null, r5: 'ok' }), 2, ['r2', 'r3', 'r4']);
test('never the current one, even when it is not good', prune, state('r2', { r1: 'ok', r2: 'rolled-back', r3: 'ok', r4: 'ok' }), 2, ['r1']);
test('nothing to prune', prune, state('r1', { r1: 'ok' }), 5, []);
test('no current', prune, state(undefined, { r1: 'ok', r2: 'ok' }), 1, ['r1']);
