import test from 'ava';
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { MissingObject } from '@runbook/core';
import { HOSTILE, leftovers, run, tempDir } from '../test/helpers.js';
import { editLines, line, type LineOptions } from './line.js';

const edit = test.macro((t, lines: string[], o: Omit<LineOptions, 'path'>, expected: ReturnType<typeof editLines>) => {
  t.deepEqual(editLines(lines, { path: '/f', ...o }), expected);
});

test('regexp matches: the last match is replaced', edit, ['#A 1', 'B', '#A 2'], { line: 'A 3', regexp: '^#?A ' },
  { lines: ['#A 1', 'B', 'A 3'], change: 'replace line 3' });
test('regexp matches the line already', edit, ['A 3'], { line: 'A 3', regexp: '^A' }, { noop: 'line 1 present' });
test('no regexp match but the line exists', edit, ['x', 'A 3'], { line: 'A 3', regexp: '^Z' }, { noop: 'line 2 present' });
test('appended at EOF', edit, ['x'], { line: 'y' }, { lines: ['x', 'y'], change: 'insert line 2' });
test('insertAfter the last match', edit, ['[a]', 'k=1', '[b]', 'k=2'], { line: 'n=1', insertAfter: '^\\[a\\]' },
  { lines: ['[a]', 'n=1', 'k=1', '[b]', 'k=2'], change: 'insert line 2' });
test('insertAfter without a match: EOF', edit, ['x'], { line: 'y', insertAfter: '^nope' }, { lines: ['x', 'y'], change: 'insert line 2' });
test('absent removes every match', edit, ['a1', 'b', 'a2'], { line: '', regexp: '^a', state: 'absent' },
  { lines: ['b'], change: 'remove 2 lines' });
test('absent with nothing to remove', edit, ['b'], { line: 'a', state: 'absent' }, { noop: 'no line equals the line' });

test('real file: edit keeps mode, then ok in one exec; check mode writes nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, `-${HOSTILE}.conf`);
  writeFileSync(path, 'Port 22\n#PasswordAuthentication yes\nX11Forwarding no');
  chmodSync(path, 0o600);
  const task = line({ path, regexp: '^#?PasswordAuthentication\\s', line: `PasswordAuthentication no # '$(x)'` });
  const dry = await run(task, { check: true });
  t.is(dry.status, 'changed');
  t.regex(dry.diff!, /-#PasswordAuthentication yes\n\+PasswordAuthentication no/);
  t.is(readFileSync(path, 'utf8'), 'Port 22\n#PasswordAuthentication yes\nX11Forwarding no');
  const first = await run(task);
  t.is(first.status, 'changed', first.error?.message);
  t.is(first.execs, 2);
  t.is(readFileSync(path, 'utf8'), `Port 22\nPasswordAuthentication no # '$(x)'\nX11Forwarding no`);
  t.is(statSync(path).mode & 0o7777, 0o600);
  const second = await run(task);
  t.is(second.status, 'ok');
  t.is(second.execs, 1);
  t.deepEqual(leftovers(dir), []);
});

test('missing file: error unless create', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'new');
  const r = await run(line({ path, line: 'a' }));
  t.is(r.status, 'failed');
  t.regex(r.error!.message, /create: true/);
  t.true(r.error instanceof MissingObject, 'under --check, an earlier change may create it');
  t.deepEqual((r.error as MissingObject).predicted, [`put the line in ${path} unless it is there`]);
  t.false(existsSync(path));
  t.is((await run(line({ path, line: 'a', create: true }))).status, 'changed');
  t.is(readFileSync(path, 'utf8'), 'a\n');
});

test('the write is guarded by the hash read as fact', (t) => {
  const cmds = line.type.apply({ changes: ['x'], state: { content: Buffer.from('a\n'), expect: 'abc' } }, { path: '/etc/x', line: 'a' }, {} as never);
  t.regex(cmds[0].script, /\[ "\$cur" = abc \] \|\| \{ echo "\$dst changed since its facts were read/);
});

test('validation', (t) => {
  t.throws(() => line({ path: '/x', line: 'a\nb' }), { message: /line: expected one line of text/ });
  t.throws(() => line({ path: '/x', line: 'a', regexp: '(' }), { message: /regexp: expected a JavaScript regular expression/ });
});
