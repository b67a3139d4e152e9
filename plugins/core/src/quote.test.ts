import test from 'ava';
import { LocalConnection } from './local-connection.js';
import { quote, raw, sh } from './quote.js';

const hostile = [
  'plain',
  'with space',
  "it's",
  '"double"',
  '$(touch /tmp/rb-pwned)',
  '`id`',
  'line1\nline2',
  '-rf',
  '--',
  '*',
  '',
  '\\back\\slash',
  '${HOME}',
  'tab\there',
  'semi;colon|pipe&amp',
];

for (const value of hostile) {
  test(`quote round-trips ${JSON.stringify(value)} through a real sh`, async (t) => {
    const conn = new LocalConnection();
    const r = await conn.exec(`printf '%s' ${quote(value)}`);
    t.is(r.stdout, value);
  });
}

test('sh tag quotes values, joins arrays as words and passes raw() through', (t) => {
  t.is(sh`rm -f -- ${'a b'} ${['x', "y'z"]} ${raw('"$tmp"')}`, `rm -f -- 'a b' x 'y'\\''z' "$tmp"`);
});

test('a leading dash is always quoted so it reads as a quoted word', (t) => {
  t.is(quote('-n'), "'-n'");
});
