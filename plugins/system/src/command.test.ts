import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { secret } from '@runbook/core';
import { HOSTILE, run, tempDir } from '../test/helpers.js';
import { command, commandType, type CommandOptions } from './command.js';

const plan = test.macro((t, facts: Record<string, number>, o: CommandOptions, expected: unknown) => {
  t.deepEqual(commandType.check(facts, o, {} as never), expected);
});
test('creates exists: noop', plan, { creates: 0 }, { run: 'x', creates: '/a' }, { noop: '/a exists (creates)' });
test('creates missing: run', plan, { creates: 1 }, { run: ['a', 'b c'], creates: '/a' }, { changes: ['run a b c'] });
test('removes missing: noop (but an earlier change may create it)', plan, { removes: 1 }, { run: 'x', removes: '/a' },
  { noop: '/a does not exist (removes)', ifEarlierChanges: ['run x (if an earlier change creates /a)'] });
test('unless succeeded: noop', plan, { unless: 0 }, { run: 'x', unless: 'true' }, { noop: 'unless `true` succeeded' });
test('onlyIf failed: noop (but an earlier change may make it pass)', plan, { onlyIf: 3 }, { run: 'x', onlyIf: 'exit 3' },
  { noop: 'onlyIf `exit 3` failed (exit 3)', ifEarlierChanges: ['run x (if an earlier change makes `exit 3` succeed)'] });
test('always: run', plan, {}, { run: 'x', always: true }, { changes: ['run x'] });

test('argv words are quoted, the creates guard re-tested inline', (t) => {
  const [c] = commandType.apply({ changes: [] }, { run: ['-x', `a'b`, '$(y)'], creates: '/p q' }, {} as never);
  t.is(c.script, `if [ -e '/p q' ] || [ -L '/p q' ]; then exit 0; fi\n'-x' 'a'\\''b' '$(y)'`);
});

test('a command without a guard is refused', (t) => {
  t.throws(() => command({ run: 'rm -rf /tmp/x' }), { message: /command.run: a command needs a guard/ });
  t.notThrows(() => command({ run: 'date', always: true }));
  t.throws(() => command({ run: [] }), { message: /run: expected a command line or a non-empty argv/ });
  t.throws(() => command({ run: 'x', always: true, env: { 'A-B': 'x' } }), { message: /env.A-B: expected a variable name/ });
});

test('real shell: creates makes it run once; hostile argv, cwd and env', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const out = join(dir, `-${HOSTILE}`);
  const task = command({
    run: ['sh', '-c', 'printf "%s|%s|%s" "$1" "$PWD" "$TOKEN" > "$2"', 'sh', HOSTILE, out],
    creates: out,
    cwd: dir,
    env: { TOKEN: secret(`t'o$(k)en`) },
  });
  const dry = await run(task, { check: true });
  t.is(dry.status, 'changed');
  t.false(existsSync(out));
  const first = await run(task);
  t.is(first.status, 'changed', first.error?.message);
  t.is(first.execs, 2);
  t.is(readFileSync(out, 'utf8'), `${HOSTILE}|${dir}|t'o$(k)en`);
  const second = await run(task);
  t.is(second.status, 'ok');
  t.is(second.execs, 1);
  t.false(existsSync(join(dir, 'PWNED')));
});

test('real shell: unless sees cwd and env; a failing command fails the task', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const skip = await run(command({ run: 'false', unless: '[ "$X" = 1 ] && [ "$PWD" = "$D" ]', cwd: dir, env: { X: '1', D: dir } }));
  t.is(skip.status, 'ok');
  t.regex(skip.reason!, /^unless/);
  const fail = await run(command({ run: 'echo boom >&2; exit 4', onlyIf: 'true' }));
  t.is(fail.status, 'failed');
  t.regex(fail.error!.message, /failed \(exit 4\): boom/);
});
