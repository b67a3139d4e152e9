import test from 'ava';
import { healthCheckType, healthScript, parseHealth } from './health-check.js';

const o = { url: 'http://127.0.0.1/health/', host: "shop.example.org", retries: 3 };

test('ok on an attempt: a no-op that says what answered', (t) => {
  t.deepEqual(healthCheckType.check({ health: parseHealth('ok 2 200\n') }, o, {} as never), { noop: 'http://127.0.0.1/health/ answered 200 (attempt 2)' });
});
test('failure names the URL, host and the last curl error', (t) => {
  const health = parseHealth('fail 3 curl: (22) The requested URL returned error: 502\n');
  t.throws(() => healthCheckType.check({ health }, o, {} as never), {
    message: 'health check failed: http://127.0.0.1/health/ (Host: shop.example.org) after 3 attempt(s): curl: (22) The requested URL returned error: 502',
  });
});
test('not run under --check', (t) => {
  t.deepEqual(healthCheckType.facts(o, { check: true } as never), {});
  t.deepEqual(healthCheckType.check({}, o, {} as never), { noop: 'not checked under --check' });
});
test('the script quotes the header and URL', (t) => {
  const s = healthScript({ url: "http://x/'a", host: 'h', retries: 2 });
  t.true(s.includes(`-H 'Host: h' -- 'http://x/'\\''a'`));
  t.true(s.includes('-ge 2'));
  t.regex(s, /1\) sleep 0\.1 ;; 2\) sleep 0\.2 ;; 3\) sleep 0\.4 ;; 4\) sleep 0\.8 ;; \*\) sleep 1/, 'quick at first, then once a second');
});
