import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection, runSteps, runTask, type Task } from '@runbook/core';
import type { AppState } from './app-state.js';
import { deployLock, deployLockType, deployUnlock, deployUnlockType, heldMessage, holderGone } from './deploy-lock.js';

const info = { release: 'r2', who: 'bob@ci', since: '2026-11-24T07:00:00.000Z', command: 'run deploy --env stg' };
const ctx = { alias: 'web-1' } as never;
const held = (release?: string): AppState => ({
  root: true, releases: [], records: {},
  lock: { since: 1764000000, ...(release ? { info: { ...info, release, who: 'ann@laptop', since: '2026-11-24T06:11:00.000Z' } } : {}) },
});

test('free: take it; held by this run: nothing to do', (t) => {
  t.deepEqual(deployLockType.check({ state: { root: true, releases: [], records: {} } }, { root: '/srv/a', info }, ctx), { changes: ['take the deploy lock /srv/a/.deploy-lock for r2'] });
  t.deepEqual(deployLockType.check({ state: held('r2') }, { root: '/srv/a', info }, ctx), { noop: 'the deploy lock is already held by this run (r2)' });
});

test('held by another run: who, since when, what for, and how to remove it', (t) => {
  t.throws(() => deployLockType.check({ state: held('r1') }, { root: '/srv/a', info, env: 'stg' }, ctx), {
    message: 'deploy lock /srv/a/.deploy-lock is held by ann@laptop since 2026-11-24T06:11:00.000Z for release r1 (run deploy --env stg). If no deploy is running any more, release it with: run unlock --env stg --limit web-1',
  });
  t.throws(() => deployLockType.check({ state: held() }, { root: '/srv/a', info }, ctx), { message: /held by someone \(no info file\) since 2025-11-24T16:00:00.000Z/ });
  t.throws(() => deployLockType.check({ state: { root: false, releases: [], records: {} } }, { root: '/srv/a', info }, ctx), { message: '/srv/a does not exist: run configure first' });
});

test('unlock only what this run holds; either way it reports the release the host serves', (t) => {
  const none = { report: { release: 'none' } };
  t.deepEqual(deployUnlockType.check({ state: held('r1') }, { root: '/srv/a', id: 'r2' }, ctx), { noop: 'the deploy lock is held by ann@laptop for r1, not this run: left alone', ...none });
  t.deepEqual(deployUnlockType.check({ state: held('r2') }, { root: '/srv/a', id: 'r2' }, ctx), { changes: ['release the deploy lock /srv/a/.deploy-lock'], ...none });
  t.deepEqual(deployUnlockType.check({ state: { root: true, releases: [], records: {} } }, { root: '/srv/a', id: 'r2' }, ctx), { noop: 'no deploy lock', ...none });
  const serving: AppState = { ...held('r2'), current: '/srv/a/releases/r2' };
  t.deepEqual(deployUnlockType.check({ state: serving }, { root: '/srv/a', id: 'r2' }, ctx), { changes: ['release the deploy lock /srv/a/.deploy-lock'], report: { release: 'r2' } });
});

const run = (task: Task) => runTask(new LocalConnection(), task, { alias: 'localhost', user: 'root', vars: {}, check: false });

test('real shell: take, hold, refuse another run, release; a hostile root', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `rb-app-sp ace'q"$(x)-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'app');
  mkdirSync(root);
  const first = await run(deployLock({ root, info }));
  t.is(first.status, 'changed', first.error?.message);
  t.deepEqual(JSON.parse(readFileSync(join(root, '.deploy-lock/info'), 'utf8')), info);
  t.is((await run(deployLock({ root, info }))).status, 'ok');
  const other = await run(deployLock({ root, info: { ...info, release: 'r3' } }));
  t.is(other.status, 'failed');
  t.regex(other.error!.message, /held by bob@ci since .* for release r2/);
  t.is((await run(deployUnlock({ root, id: 'r3' }))).status, 'ok');
  t.true(existsSync(join(root, '.deploy-lock')));
  t.is((await run(deployUnlock({ root, id: 'r2' }))).status, 'changed');
  t.false(existsSync(join(root, '.deploy-lock')));
  // the apply re-tests: a lock taken by someone else since the facts were read is refused by mkdir
  mkdirSync(join(root, '.deploy-lock'));
  writeFileSync(join(root, '.deploy-lock/info'), JSON.stringify({ ...info, release: 'r9' }));
  const [cmd] = deployLockType.apply({ changes: [] }, { root, info }, {} as never);
  const r = await runSteps(new LocalConnection(), [cmd.script], { sudo: false, stopOnFailure: true, errexit: true });
  t.is(r.results[0].code, 1);
  t.regex(r.results[0].stderr, /was taken meanwhile: .*"release":"r9"/);
  t.false(existsSync(join(dir, 'PWNED')));
});

test('a lock whose run provably ended: taken on this machine by a process that is gone', (t) => {
  const mine = { ...info, who: 'ann@ctl', pid: 4242 };
  t.true(holderGone(mine, 'ctl', () => false));
  t.false(holderGone(mine, 'ctl', () => true), 'still running');
  t.false(holderGone(mine, 'other-machine', () => false), 'another machine: cannot tell');
  t.false(holderGone({ ...info, who: 'ann@ctl' }, 'ctl', () => false), 'no pid recorded');
  const state: AppState = { ...held('r1'), lock: { since: 1, info: { ...mine, pid: 2 ** 22 + 17 } } };
  t.is(heldMessage('/srv/a', state, 'web-1', 'prod'), 'deploy lock /srv/a/.deploy-lock is held by ann@ctl since 2026-11-24T07:00:00.000Z for release r2 (run deploy --env stg). If no deploy is running any more, release it with: run unlock --env prod --limit web-1');
});
