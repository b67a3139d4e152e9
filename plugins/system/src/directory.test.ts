import test from 'ava';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE, run, tempDir } from '../test/helpers.js';
import { directory } from './directory.js';

test('creates with parents, then ok in one exec; check mode creates nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, `-${HOSTILE}`, 'sub dir');
  const task = directory({ path, mode: '0750', recursive: true });
  const dry = await run(task, { check: true });
  t.is(dry.status, 'changed');
  t.false(existsSync(path));
  const first = await run(task);
  t.is(first.status, 'changed', first.error?.message);
  t.is(first.execs, 2);
  t.is(statSync(path).mode & 0o7777, 0o750);
  const second = await run(task);
  t.is(second.status, 'ok');
  t.is(second.execs, 1);
  t.regex(second.reason!, /present, mode 0750, owner root:root$/);
});

test('without recursive a missing parent fails', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await run(directory({ path: join(dir, 'a', 'b') }));
  t.is(r.status, 'failed');
  t.is(r.error?.code, 'E_COMMAND');
});

test('mode change in place; absent removes; a file in the way fails', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'd');
  mkdirSync(path, { mode: 0o700 });
  writeFileSync(join(path, 'f'), 'x');
  t.deepEqual((await run(directory({ path, mode: 0o755 }))).changes, ['mode 0700 → 0755']);
  const gone = await run(directory({ path, state: 'absent' }));
  t.deepEqual(gone.changes, [`remove directory ${path}`]);
  t.false(existsSync(path));
  t.is((await run(directory({ path, state: 'absent' }))).status, 'ok');
  writeFileSync(path, 'x');
  const r = await run(directory({ path }));
  t.is(r.status, 'failed');
  t.regex(r.error!.message, /is a regular file, not a directory/);
});

test('validation', (t) => {
  t.throws(() => directory({ path: '/' }), { message: /path: expected an absolute path other than \// });
  t.throws(() => directory({ path: '/x', state: 'gone' as never }), { message: /state: expected one of 'present', 'absent'/ });
  t.throws(() => directory({ path: '/x', owner: '-rf' }), { message: /owner: expected a user\/group name/ });
});
