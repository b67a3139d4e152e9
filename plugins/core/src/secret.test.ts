import test from 'ava';
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
