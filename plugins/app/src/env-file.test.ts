import test from 'ava';
import { parseDotenv, secret } from '@runbook/core';
import { appEnv, renderEnvFile } from './env-file.js';

test('secrets win over the app env, which wins over the site env', (t) => {
  const env = appEnv({ A: 'site', B: 'site', STATIC_URL: '/static/' }, { B: 'app', C: 'app' }, { C: secret('sec-c'), D: secret('sec-d') });
  t.deepEqual(Object.keys(env), ['A', 'B', 'STATIC_URL', 'C', 'D']);
  t.is(env.B, 'app');
  t.is(String(env.C), '••••••');
});

test('the file is a Secret and reads back with parseDotenv', (t) => {
  const values = { SECRET_KEY: secret(`a'b"c $x\\z\nnl`), PLAIN: 'x', URL: 'postgres://u:p@h/db' };
  const file = renderEnvFile(values);
  t.is(String(file), '••••••');
  t.deepEqual(parseDotenv(file.reveal(), '.env'), { SECRET_KEY: `a'b"c $x\\z\nnl`, PLAIN: 'x', URL: 'postgres://u:p@h/db' });
});
