import test from 'ava';
import { mkdirSync, mkdtempSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection, runTask } from '@runbook/core';
import type { AppState } from './app-state.js';
import { releaseLock, releaseLockType } from './release-lock.js';
import { commandLine } from './run-info.js';

const info = { release: 'r1', who: 'ann@laptop', since: '2026-11-24T06:11:00.000Z', command: 'run deploy --env stg' };
const ctx = { alias: 'web-1' } as never;

test('run unlock: says whose lock it releases and what the host serves; no lock: nothing to do', (t) => {
  const state: AppState = { root: true, releases: ['r0', 'r1'], records: {}, current: '/srv/a/releases/r0', lock: { since: 1, info } };
  t.deepEqual(releaseLockType.check({ state }, { root: '/srv/a' }, ctx), {
    changes: ['release the deploy lock held by ann@laptop since 2026-11-24T06:11:00.000Z for release r1 (run deploy --env stg)'],
    state: { release: 'r1' },
    report: { release: 'r0', lock: 'released' },
  });
  t.deepEqual(releaseLockType.check({ state: { ...state, lock: undefined } }, { root: '/srv/a' }, ctx), { noop: 'no deploy lock', report: { release: 'r0', lock: 'none' } });
});

test('run unlock on a real shell: removes the lock it read, leaves a lock taken since alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-unlock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lock = join(dir, '.deploy-lock');
  mkdirSync(lock);
  writeFileSync(join(lock, 'info'), JSON.stringify(info) + '\n');
  const run = () => runTask(new LocalConnection(), releaseLock({ root: dir }), { alias: 'localhost', user: 'root', vars: {}, check: false });
  t.is((await run()).status, 'changed');
  t.false(existsSync(lock));
  t.is((await run()).status, 'ok', 'a second unlock has nothing to do');
  // the apply re-tests the lock: one taken by another deploy between facts and apply stays
  const plan = releaseLockType.check({ state: { root: true, releases: [], records: {}, lock: { since: 1, info } } }, { root: dir }, ctx);
  mkdirSync(lock);
  writeFileSync(join(lock, 'info'), JSON.stringify({ ...info, release: 'r2' }) + '\n');
  const [cmd] = releaseLockType.apply(plan as never, { root: dir }, ctx);
  const r = await new LocalConnection().exec(`sh -c ${JSON.stringify(cmd.script).replace(/\$/g, '\\$')}`);
  t.not(r.code, 0);
  t.true(existsSync(lock));
});

test('the command line a lock records leaves -e values out', (t) => {
  t.is(commandLine(['node', '/x/run.js', 'deploy', '--env', 'stg', '-e', 'token=s3cret', '--extra-vars=a=b', '-eb=c']), 'run deploy --env stg -e … --extra-vars=… -e…');
});
