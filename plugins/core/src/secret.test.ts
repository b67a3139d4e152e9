import test from 'ava';
import { quote } from './quote.js';
import { MASK, mask, maskDeep, secret } from './secret.js';

test('a secret prints as the mask in every conversion', (t) => {
  const s = secret('hunter2-sentinel');
  t.is(String(s), MASK);
  t.is(`${s}`, MASK);
  t.is(JSON.stringify({ s }), JSON.stringify({ s: MASK }));
  t.is(s.reveal(), 'hunter2-sentinel');
});

test('a registered value is masked by value anywhere in text and nested data', (t) => {
  secret('pa55-sentinel-xyz');
  t.is(mask('cmd --password pa55-sentinel-xyz failed'), `cmd --password ${MASK} failed`);
  t.deepEqual(maskDeep({ a: ['x pa55-sentinel-xyz y'], n: 1 }), { a: [`x ${MASK} y`], n: 1 });
});

test('overlapping secrets mask fully (longest first)', (t) => {
  secret('abcdef-sentinel');
  secret('abcdef-sentinel-longer');
  t.is(mask('v=abcdef-sentinel-longer'), `v=${MASK}`);
});

// Each case registers its own secret (the registry is per process) and checks the text it leaks into.
const masks = test.macro({
  exec(t, value: string, leaks: (v: string) => string, expected: string) {
    secret(value);
    t.is(mask(leaks(value)), expected);
  },
  title: (given) => `masked: ${given}`,
});

test('each line of a multi-line secret, e.g. only the second in an error', masks,
  'first-line-one\nsecond-line-two', () => 'psql: error: second-line-two', `psql: error: ${MASK}`);
test('each line, trimmed, wherever the text re-indents it', masks,
  '-----BEGIN KEY-----\n  MIIEvQIBADAN\n-----END KEY-----', () => 'stderr:\n    MIIEvQIBADAN\n', `stderr:\n    ${MASK}\n`);
test('each line of a diff of a file holding the secret', masks,
  'diff-line-aaaa\ndiff-line-bbbb', () => '--- /etc/x\n+++ /etc/x\n@@ -1 +1,2 @@\n-old\n+KEY="diff-line-aaaa\n+diff-line-bbbb"',
  `--- /etc/x\n+++ /etc/x\n@@ -1 +1,2 @@\n-old\n+KEY="${MASK}\n+${MASK}"`);
test('the shell-quoted form of a value with a single quote', masks,
  "it's-quoted", (v) => `echo ${quote(v)} failed`, `echo '${MASK}' failed`);
test('the shell-quoted form of one line of a multi-line value', masks,
  "l1-abc\nl2'xyz", (v) => `printf %s ${quote(v)}`, `printf %s '${MASK}'`);
test('the JSON-escaped form (quotes, backslashes, newlines)', masks,
  'js"on\\val\nue', (v) => `body ${JSON.stringify({ v })}`, `body {"v":"${MASK}"}`);
test('a line of a value inside JSON-escaped text, right after \\n', masks,
  'jline-one\njline-two', () => JSON.stringify('A=1\njline-two\n'), `"A=1\\n${MASK}\\n"`);
test('a short value at the end of a sentence', masks,
  'tok9', () => 'unknown token tok9.', `unknown token ${MASK}.`);
test('a short value as an option or in a URL', masks,
  'pw77', () => '--password=pw77 postgres://u:pw77@db/x', `--password=${MASK} postgres://u:${MASK}@db/x`);
test('a long value even inside a longer word (-pVALUE)', masks,
  'very-long-secret-0123', () => 'mysql -pvery-long-secret-0123x', `mysql -p${MASK}x`);
test('the base64 form', masks,
  'base64-me-please', (v) => `Authorization: Basic ${Buffer.from(v).toString('base64')}`, `Authorization: Basic ${MASK}==`);

// A short secret that is also a word must not hide names that contain it.
const keeps = test.macro({
  exec(t, value: string, text: string) {
    secret(value);
    t.is(mask(text), text);
  },
  title: (given) => `not masked: ${given}`,
});
test('host names that start with it', keeps, 'web1', 'web1-a web1_b web1.example.com');
test('unit names that contain it', keeps, 'webx', 'gunicorn-webx.service celery-webx webxy');
test('a word that contains it', keeps, 'shop', 'workshop shopping shop2');
test('a value under the minimum length', keeps, 'ab', 'ab cd');

test('a short secret is still masked as a word next to names', (t) => {
  secret('wall');
  t.is(mask('user wall on web-1 (wall-1 is a host)'), `user ${MASK} on web-1 (wall-1 is a host)`);
  t.is(String(secret('ab')), MASK, 'a value too short for the registry still prints as the mask');
});

test('a composite secret (a rendered .env) masks the whole, not each line', (t) => {
  secret('STATIC_URL=/static/\nTOKEN_LINE=composite-xyz', '.env', { composite: true });
  t.is(mask('Environment=STATIC_URL=/static/'), 'Environment=STATIC_URL=/static/');
  t.is(mask('x STATIC_URL=/static/\nTOKEN_LINE=composite-xyz y'), `x ${MASK} y`);
});
