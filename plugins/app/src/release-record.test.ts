import test from 'ava';
import type { AppState } from './app-state.js';
import { planRecord } from './release-record.js';

const root = '/srv/a';
const base = { root, runId: 'r3', who: 'bob@ci', time: 'T2', action: 'deploy' };
const s: AppState = {
  root: true, releases: ['r2', 'r3'], current: `${root}/releases/r3`, revision: 'c3',
  records: { r2: { id: 'r2', commit: 'c2', status: 'ok', deployedAt: 'T1', deployedBy: 'ann@laptop' } },
  lock: { since: 1, info: { release: 'rollback-x', who: 'bob@ci', since: 'T2', command: 'run rollback' }, previous: `${root}/releases/r2` },
};

test('a new release: commit from REVISION, deployed by and at', (t) => {
  t.deepEqual(planRecord(s, { ...base, id: 'r3', status: 'ok' }), {
    record: { id: 'r3', commit: 'c3', status: 'ok', deployedAt: 'T2', deployedBy: 'bob@ci' },
    log: 'T2 bob@ci deploy r3 ok commit=c3',
  });
});
test('a status change keeps who deployed it', (t) => {
  t.deepEqual(planRecord(s, { ...base, id: 'r2', status: 'failed' }), {
    record: { id: 'r2', commit: 'c2', status: 'failed', deployedAt: 'T1', deployedBy: 'ann@laptop', statusAt: 'T2', statusBy: 'bob@ci' },
    log: 'T2 bob@ci deploy r2 failed commit=c2',
  });
  t.is(planRecord(s, { ...base, id: 'r2', status: 'ok' }), 'release r2 is recorded as ok');
});
test('previous: the release this run switched away from, only under its own lock', (t) => {
  const p = planRecord(s, { ...base, runId: 'rollback-x', previous: true, status: 'rolled-back', action: 'rollback' });
  t.like(p, { record: { id: 'r2', status: 'rolled-back' }, log: 'T2 bob@ci rollback r2 rolled-back commit=c2' });
  t.is(planRecord(s, { ...base, previous: true, status: 'rolled-back' }), 'the deploy lock is not this run’s: nothing recorded');
  t.is(planRecord({ ...s, lock: { ...s.lock!, previous: undefined } }, { ...base, runId: 'rollback-x', previous: true, status: 'rolled-back' }), 'current was not switched by this run');
});
