import test from 'ava';
import { secret, type RunbookError } from '@runbook/core';
import { optionChecks } from './index.js';

const check = optionChecks('memcached');

test('a plugin\'s checks: the plugin, the key, what was expected and what was given', (t) => {
  const e = t.throws(() => check.absolutePath('dir', 'etc')) as RunbookError;
  t.is(e.message, 'memcached: dir: expected an absolute path, got "etc"');
  t.like(e, { code: 'E_OPTIONS', details: { key: 'dir', plugin: 'memcached' } });
  t.throws(() => check.oneOf('listen.mode', 'udp', ['tcp', 'unix']), { message: "memcached: listen.mode: expected one of 'tcp', 'unix', got \"udp\"" });
  t.throws(() => check.requireString('user', secret('hunter22')), { message: 'memcached: user: expected a non-empty string, got a secret' });
});

test('a good value comes back, normalised where the check normalises', (t) => {
  t.is(check.normalizeMode('mode', 0o640), '0640');
  t.is(check.oneOf('mode', 'tcp', ['tcp', 'unix']), 'tcp');
  t.is(check.optionalAccount('user', undefined), undefined);
});
