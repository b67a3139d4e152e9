import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { allocateSlots, isStale, pickFreeSlots, readSlots, releaseSlot } from './slots.js';
import { withLock } from './lock.js';

// every test here runs in this process with its own state dir
process.env.RUNBOOK_TESTHOSTS_STATE = fs.mkdtempSync(path.join(os.tmpdir(), 'testhosts-state-'));

test('pickFreeSlots: lowest free, fails loudly when full', (t) => {
  t.deepEqual(pickFreeSlots([], 3), [1, 2, 3]);
  t.deepEqual(pickFreeSlots([1, 3, 4], 3), [2, 5, 6]);
  t.throws(() => pickFreeSlots([1, 2], 1, 2), { message: /no free address slots/ });
});

test.serial('allocate, stale detection, release', (t) => {
  const recs = allocateSlots('unit', ['unit1', 'unit2']);
  t.deepEqual(recs.map((r) => [r.slot, r.address]), [[1, '10.77.0.11'], [2, '10.77.0.12']]);
  t.false(isStale(recs[0])); // owner (this process) alive, not booted yet
  t.true(isStale({ ...recs[0], nspawn: { pid: 2 ** 22 + 7 } }));
  t.true(isStale({ ...recs[0], owner: { pid: process.pid, start: 1 } })); // pid reused by another process
  t.true(isStale(undefined));
  for (const r of recs) releaseSlot(r.slot);
  t.deepEqual(readSlots(), []);
});

test.serial('concurrent allocation from several processes never shares a slot', async (t) => {
  const slots = new URL('./slots.ts', import.meta.url).pathname;
  const code = `import { allocateSlots } from ${JSON.stringify(slots)};
    const r = allocateSlots('p' + process.pid, ['a', 'b', 'c', 'd', 'e']);
    console.log(JSON.stringify(r.map((x) => x.slot)));`;
  const run = () => promisify(execFile)(process.execPath, ['--import=tsx', '--input-type=module', '-e', code], { env: process.env });
  const outs = await Promise.all([run(), run(), run(), run()]);
  const all = outs.flatMap((o) => JSON.parse(o.stdout) as number[]);
  t.is(all.length, 20);
  t.is(new Set(all).size, 20);
  // those processes are gone now: all their records read as stale
  t.true(readSlots().every((s) => isStale(s.record)));
  for (const s of readSlots()) releaseSlot(s.slot);
});

test('lock: a dead owner\'s lock is broken; a live one is waited for', async (t) => {
  const dir = path.join(process.env.RUNBOOK_TESTHOSTS_STATE!, 'test.lock');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 9 }));
  t.is(await withLock(dir, async () => 'got it', 2000), 'got it');
  t.false(fs.existsSync(dir));
  const order: string[] = [];
  await Promise.all([
    withLock(dir, async () => { order.push('a<'); await new Promise((r) => setTimeout(r, 200)); order.push('a>'); }),
    new Promise((r) => setTimeout(r, 20)).then(() => withLock(dir, async () => { order.push('b'); })),
  ]);
  t.deepEqual(order, ['a<', 'a>', 'b']);
});

test.after.always(() => fs.rmSync(process.env.RUNBOOK_TESTHOSTS_STATE!, { recursive: true, force: true }));
