import test from 'ava';
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE, leftovers, run, tempDir } from '../test/helpers.js';
import { symlink } from './symlink.js';

test('links, then ok in one exec; relinks atomically; hostile target', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'current');
  const target = `-${HOSTILE}`;
  const dry = await run(symlink({ path, target }), { check: true });
  t.is(dry.status, 'changed');
  t.false(existsSync(path));
  const first = await run(symlink({ path, target }));
  t.is(first.status, 'changed', first.error?.message);
  t.is(readlinkSync(path), target);
  const again = await run(symlink({ path, target }));
  t.is(again.status, 'ok');
  t.is(again.execs, 1);
  // the old target is a directory: mv -T must replace the link, not move into it
  mkdirSync(join(dir, 'r1'));
  symlinkSync('r1', join(dir, 'cur2'));
  const re = await run(symlink({ path: join(dir, 'cur2'), target: join(dir, 'r2') }));
  t.deepEqual(re.changes, [`relink ${join(dir, 'cur2')}: r1 → ${join(dir, 'r2')}`]);
  t.is(readlinkSync(join(dir, 'cur2')), join(dir, 'r2'));
  t.deepEqual(leftovers(join(dir, 'r1')), []);
  t.deepEqual(leftovers(dir), []);
});

test('a file in the way needs force; a directory always fails', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'f');
  writeFileSync(path, 'x');
  const refused = await run(symlink({ path, target: '/etc' }));
  t.is(refused.status, 'failed');
  t.regex(refused.error!.message, /set force: true/);
  const forced = await run(symlink({ path, target: '/etc', force: true }));
  t.is(forced.status, 'changed');
  t.true(lstatSync(path).isSymbolicLink());
  mkdirSync(join(dir, 'd'));
  t.is((await run(symlink({ path: join(dir, 'd'), target: '/etc', force: true }))).status, 'failed');
});
