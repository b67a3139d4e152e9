import test from 'ava';
import { MissingObject } from '@runbook/core';
import type { AppState } from './app-state.js';
import { switchCurrentType } from './switch-current.js';

const o = { root: '/srv/shop', id: 'r2', owner: 'shop', group: 'shop' };
const state = (s: Partial<AppState>): { state: AppState } => ({ state: { root: true, releases: [], records: {}, ...s } });
const check = (s: Partial<AppState>) => switchCurrentType.check(state(s), o, {} as never);

test('current already at the release: no-op', (t) => {
  t.deepEqual(check({ current: '/srv/shop/releases/r2', revision: 'abc' }), { noop: 'current → /srv/shop/releases/r2' });
});

test('a complete release: switch from where current points', (t) => {
  t.deepEqual(check({ current: '/srv/shop/releases/r1', revision: 'abc' }),
    { changes: ['switch current: /srv/shop/releases/r1 → /srv/shop/releases/r2'], state: { from: '/srv/shop/releases/r1' } });
});

test('a release without REVISION is not switched to; under --check that is the release an earlier change would unpack', (t) => {
  const e = t.throws(() => check({ current: '/srv/shop/releases/r1' }), { instanceOf: MissingObject, message: /has no REVISION \(incomplete release\)/ });
  t.is(e?.code, 'E_COMMAND');
  t.is(e?.object, '/srv/shop/releases/r2/REVISION');
  t.deepEqual(e?.predicted, ['switch current: /srv/shop/releases/r1 → /srv/shop/releases/r2']);
});
