import test from 'ava';
import { execFileSync } from 'node:child_process';
import { parsePing, pingScript, pingType } from './ping.js';

const ctx = { alias: 'h', user: 'root', runAs: 'root', vars: {}, check: false };

test('parse: ok, fail with the last answer, garbage', (t) => {
  t.deepEqual(parsePing('ok 3\n'), { ok: true, attempts: 3, detail: '' });
  t.deepEqual(parsePing('fail 50 NOAUTH Authentication required.'), { ok: false, attempts: 50, detail: 'NOAUTH Authentication required.' });
  t.deepEqual(parsePing(''), { ok: false, attempts: 0, detail: 'no output' });
});

test('check: PONG is a no-op; no PONG fails naming the command; not run under --check', (t) => {
  const o = { cliArgs: ['-p', '6380'] };
  t.deepEqual(pingType.check({ ping: { ok: true, attempts: 2, detail: '' } }, o, ctx), { noop: 'PONG (attempt 2)' });
  const e = t.throws(() => pingType.check({ ping: { ok: false, attempts: 50, detail: 'Could not connect to Redis at 127.0.0.1:6380: Connection refused' } }, o, ctx));
  t.is(e!.message, 'redis-cli -p 6380 ping did not answer PONG after 50 attempt(s): Could not connect to Redis at 127.0.0.1:6380: Connection refused');
  t.deepEqual(pingType.facts(o, { ...ctx, check: true }), {});
  t.deepEqual(pingType.check({}, o, { ...ctx, check: true }), { noop: 'not checked under --check' });
});

test('the script runs in sh and reports a refused connection (nothing listens on port 1)', (t) => {
  const out = execFileSync('sh', ['-c', pingScript({ cliArgs: ['-p', '1'], attempts: 2 })]).toString();
  t.regex(out, /^fail 2 (Could not connect|.*redis-cli is not installed)/);
});
