import test from 'ava';
import { createHmac } from 'node:crypto';
import { scramVerifier, verifyScram } from './scram.js';

test('RFC 7677 vector: the server key of "pencil" signs the example exchange', (t) => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const v = scramVerifier('pencil', salt, 4096);
  t.regex(v, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  const serverKey = Buffer.from(v.split(':').pop()!, 'base64');
  const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
  t.is(createHmac('sha256', serverKey).update(authMessage).digest('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
});

test('verify: the right password, not another; a fresh salt each time', (t) => {
  const v = scramVerifier("p@ss:w/rd'\"$ é");
  t.true(verifyScram("p@ss:w/rd'\"$ é", v));
  t.false(verifyScram('p@ss:w/rd', v));
  t.not(scramVerifier('x'), scramVerifier('x'));
});

test('verify: md5 hashes, plain text, empty and malformed verifiers never match', (t) => {
  t.false(verifyScram('pw', 'md5' + 'a'.repeat(32)));
  t.false(verifyScram('pw', 'pw'));
  t.false(verifyScram('pw', ''));
  t.false(verifyScram('pw', 'SCRAM-SHA-256$4096:c2FsdA==$YQ==:Yg=='));
});
