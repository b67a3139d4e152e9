import test from 'ava';
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { secret } from '@runbook/core';
import { HOSTILE, leftovers, run, tempDir } from '../test/helpers.js';
import { file } from './file.js';

test('creates, then reports ok with one exec; hostile name', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, `-${HOSTILE}.conf`);
  const task = file({ path, content: 'a\nb\n', mode: '0640' });
  const first = await run(task);
  t.is(first.status, 'changed', first.error?.message);
  t.is(first.execs, 2);
  t.regex(first.changes![0], /^create .* \(4 bytes, mode 0640\)$/s);
  t.is(readFileSync(path, 'utf8'), 'a\nb\n');
  t.is(statSync(path).mode & 0o7777, 0o640);
  const second = await run(task);
  t.is(second.status, 'ok');
  t.is(second.execs, 1);
  t.regex(second.reason!, /up to date \(4 bytes, mode 0640, owner root:root\)/);
  t.deepEqual(leftovers(dir), []);
  t.false(existsSync('PWNED') || existsSync('PWNED2') || existsSync(join(dir, 'PWNED')));
});

test('check mode reports the change and writes nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'x');
  writeFileSync(path, 'old\n');
  const r = await run(file({ path, content: 'new\n' }), { check: true });
  t.is(r.status, 'changed');
  t.is(r.execs, 1);
  t.is(readFileSync(path, 'utf8'), 'old\n');
  t.is(r.diff, `--- ${path}\n+++ ${path}\n@@ -1 +1 @@\n-old\n+new\n`);
});

test('only the mode differs: chmod in place, content untouched', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'x');
  writeFileSync(path, 'same\n');
  chmodSync(path, 0o600);
  const ino = statSync(path).ino;
  const r = await run(file({ path, content: 'same\n', mode: 0o644 }));
  t.deepEqual(r.changes, ['mode 0600 → 0644']);
  t.is(statSync(path).ino, ino);
  t.is(statSync(path).mode & 0o7777, 0o644);
});

test('a rewrite keeps the old mode when none is given, and replaces by rename', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'x');
  writeFileSync(path, 'one\n');
  chmodSync(path, 0o751);
  const ino = statSync(path).ino;
  const r = await run(file({ path, content: 'two\n', backup: true }));
  t.is(r.status, 'changed', r.error?.message);
  t.not(statSync(path).ino, ino);
  t.is(statSync(path).mode & 0o7777, 0o751);
  t.is(readFileSync(path, 'utf8'), 'two\n');
  t.deepEqual(leftovers(dir), []);
});

test('secret content: hidden diff, binary-safe write', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, '.env');
  const r = await run(file({ path, content: secret('PASSWORD=hunter2-$(x)\n'), mode: '0600' }));
  t.is(r.status, 'changed', r.error?.message);
  t.is(r.diff, `${path}: content hidden (sensitive)\n`);
  t.is(readFileSync(path, 'utf8'), 'PASSWORD=hunter2-$(x)\n');
  const bin = Buffer.from([0, 1, 2, 255, 10, 13]);
  const b = await run(file({ path: join(dir, 'bin'), content: bin }));
  t.is(b.diff, undefined);
  t.deepEqual(readFileSync(join(dir, 'bin')), bin);
  t.is((await run(file({ path: join(dir, 'bin'), content: bin }))).status, 'ok');
});

test('a directory in the way fails the task', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await run(file({ path: dir, content: 'x' }));
  t.is(r.status, 'failed');
  t.regex(r.error!.message, /is a directory/);
});

test('validation names the key', (t) => {
  t.throws(() => file({ path: 'rel', content: '' }), { message: /file.content: path: expected an absolute path/ });
  t.throws(() => file({ path: '/x', content: '', mode: 'rwx' }), { message: /mode: expected an octal mode/ });
  t.throws(() => file({ path: '/x', content: 1 as never }), { code: 'E_OPTIONS' } as never);
});
