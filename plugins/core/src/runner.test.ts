import test from 'ava';
import { batches, parseCount, parseMaxFail } from './batches.js';
import { exitCodeFor } from './runner.js';
import { newRecap } from './events.js';

const serial = test.macro((t, hosts: number, flag: string | undefined, expected: number[]) => {
  t.deepEqual(batches(Array.from({ length: hosts }, (_, i) => i), flag).map((b) => b.length), expected);
});
test('no --serial: one batch', serial, 5, undefined, [5]);
test('--serial 2 of 5', serial, 5, '2', [2, 2, 1]);
test('--serial 40% of 5 rounds up', serial, 5, '40%', [2, 2, 1]);
test('--serial 1%: at least one host', serial, 3, '1%', [1, 1, 1]);

test('bad --serial and --max-fail values name the flag and the value', (t) => {
  t.throws(() => parseCount('--serial', 'two', 3), { message: /--serial.*"two"/ });
  t.throws(() => parseCount('--serial', '0', 3), { message: /at least 1/ });
  t.throws(() => parseMaxFail('150%'), { message: /--max-fail.*"150%"/ });
  t.is(parseMaxFail('25%'), 25);
});

const recap = (over: Partial<ReturnType<typeof newRecap>>[]) => Object.fromEntries(over.map((o, i) => [`h${i}`, { ...newRecap(), ...o }]));
const exit = test.macro((t, hosts: Partial<ReturnType<typeof newRecap>>[], check: boolean, code: number) => {
  t.is(exitCodeFor(recap(hosts), check), code);
});
test('all ok: 0', exit, [{ ok: 3 }], false, 0);
test('changes in a real run: 0', exit, [{ changed: 2 }], false, 0);
test('changes under --check: 2 (drift)', exit, [{ changed: 1 }, { ok: 1 }], true, 2);
test('an unreachable host: 3', exit, [{ ok: 1 }, { unreachable: true }], false, 3);
test('a failed task wins over unreachable: 1', exit, [{ failed: 1 }, { unreachable: true }], false, 1);
