import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE, run, tempDir } from '../test/helpers.js';
import { directoriesScript, directory } from './directory.js';

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

test('consecutive directories in one script: few programs, parents before children, every mode and owner', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  mkdirSync(join(dir, 'old'), { mode: 0o700 });
  const ds = [
    { path: join(dir, 'a'), create: true, recursive: false, mode: '0755', owner: 'root', group: 'root' },
    { path: join(dir, 'a', 'b'), create: true, recursive: false, mode: '0750', owner: 'nobody', group: 'nogroup' },
    { path: join(dir, 'x', 'y', 'z'), create: true, recursive: true, mode: '0755', owner: 'root', group: 'root' },
    { path: join(dir, 'old'), create: false, recursive: false, mode: '0711' },
  ];
  const script = directoriesScript(ds);
  t.is(script.match(/\bmkdir\b/g)?.length, 2, 'one mkdir per run of the same kind');
  t.is(script.match(/\bchown\b/g)?.length, 2, 'one chown per owner');
  t.is(script.match(/\bchmod\b/g)?.length, 3, 'one chmod per mode');
  execFileSync('sh', ['-c', `set -e\n${script}`]);
  const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);
  t.deepEqual(ds.map((d) => mode(d.path)), ['755', '750', '755', '711']);
  t.is(statSync(join(dir, 'a', 'b')).uid, Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })));
  t.notThrows(() => execFileSync('sh', ['-c', `set -e\n${script}`]), 'a second run finds them all: no mkdir fails');
});
