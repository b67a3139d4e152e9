import test from 'ava';
import { isSecret, reveal, secret } from '@runbook/core';
import { brokerUrl, clientHost, resolveDragonflyOptions, resolvePassword, type DragonflyOptions } from './dragonfly-options.js';

const base = { url: 'https://example.org/dragonfly-x86_64', sha256: 'A'.repeat(64) };

test('defaults', (t) => {
  t.deepEqual(resolveDragonflyOptions(base), {
    url: base.url, sha256: 'a'.repeat(64), archive: undefined, port: 6379, bind: '127.0.0.1', bindGiven: false, password: undefined, passwordSecret: 'DRAGONFLY_PASSWORD',
    maxMemory: undefined, envVars: ['CELERY_BROKER_URL', 'REDIS_URL'],
  });
});

const rejects = test.macro((t, o: Record<string, unknown>, key: string, message: RegExp) => {
  const e = t.throws(() => resolveDragonflyOptions({ ...base, ...o } as DragonflyOptions));
  t.is((e as { code?: string }).code, 'E_OPTIONS');
  t.is((e as { details?: { key?: string } }).details?.key, key);
  t.regex(e!.message, message);
});
test('url: not a URL', rejects, { url: 'example.org/x' }, 'url', /url must be an http/);
test('url: missing', rejects, { url: undefined }, 'url', /url must be/);
test('sha256: too short', rejects, { sha256: 'abc' }, 'sha256', /sha256 must be the 64 hex digits/);
test('port: out of range', rejects, { port: 70000 }, 'port', /port must be an integer from 1 to 65535, got 70000/);
test('port: a string', rejects, { port: '6379' }, 'port', /port must be/);
test('bind: a name', rejects, { bind: 'example.org' }, 'bind', /bind must be an IPv4 or IPv6 address/);
test('bind: two addresses', rejects, { bind: '127.0.0.1 ::1' }, 'bind', /bind must be/);
test('maxMemory: a unit redis does not know', rejects, { maxMemory: '1tb' }, 'maxMemory', /maxMemory must be bytes/);
test('password: a newline', rejects, { password: 'a\nb' }, 'password', /single line/);
test('password: empty', rejects, { password: '' }, 'password', /non-empty/);
test('password: a number', rejects, { password: 42 }, 'password', /a string, a Secret or false/);
test('envVars: not names', rejects, { envVars: ['A-B'] }, 'envVars', /array of variable names/);

test('maxMemory: bytes or units', (t) => {
  t.is(resolveDragonflyOptions({ ...base, maxMemory: 1048576 }).maxMemory, '1048576');
  t.is(resolveDragonflyOptions({ ...base, maxMemory: '512MB' }).maxMemory, '512MB');
  t.is(resolveDragonflyOptions({ ...base, maxMemory: '2g' }).maxMemory, '2g');
});

test('the password: option, else the env secret, else none; false wins over the secret', (t) => {
  const secrets = { DRAGONFLY_PASSWORD: secret('from-secrets') };
  const fromOption = resolvePassword(resolveDragonflyOptions({ ...base, password: 'from-option' }), secrets);
  t.true(isSecret(fromOption));
  t.is(reveal(fromOption!), 'from-option');
  t.is(reveal(resolvePassword(resolveDragonflyOptions(base), secrets)!), 'from-secrets');
  t.is(resolvePassword(resolveDragonflyOptions(base), {}), undefined);
  t.is(resolvePassword(resolveDragonflyOptions({ ...base, password: false }), secrets), undefined);
  t.is(reveal(resolvePassword(resolveDragonflyOptions({ ...base, passwordSecret: 'REDIS_PASSWORD' }), { REDIS_PASSWORD: secret('r3dis') })!), 'r3dis');
  const e = t.throws(() => resolvePassword(resolveDragonflyOptions(base), { DRAGONFLY_PASSWORD: secret('two\nlines') }));
  t.is((e as { details?: { key?: string } }).details?.key, 'DRAGONFLY_PASSWORD');
});

test('broker URL: loopback for wildcards, password percent-encoded inside a Secret', (t) => {
  t.is(brokerUrl({ bind: '127.0.0.1', port: 6379 }), 'redis://127.0.0.1:6379/0');
  t.is(brokerUrl({ bind: '0.0.0.0', port: 6380 }), 'redis://127.0.0.1:6380/0');
  t.is(brokerUrl({ bind: '::', port: 6379 }), 'redis://[::1]:6379/0');
  t.is(clientHost({ bind: '10.0.0.5' }), '10.0.0.5');
  const url = brokerUrl({ bind: '127.0.0.1', port: 6379 }, secret('p@ss:w/rd %'));
  t.true(isSecret(url));
  t.is(reveal(url), 'redis://:p%40ss%3Aw%2Frd%20%25@127.0.0.1:6379/0');
  t.is(String(url), '••••••');
});

test('an archive URL: the member defaults to the archive name, kept in /var/cache/dragonfly', (t) => {
  const url = 'https://github.com/dragonflydb/dragonfly/releases/download/v1.21.2/dragonfly-x86_64.tar.gz';
  t.deepEqual(resolveDragonflyOptions({ ...base, url }).archive, { member: 'dragonfly-x86_64', cache: '/var/cache/dragonfly/dragonfly-x86_64.tar.gz' });
  t.deepEqual(resolveDragonflyOptions({ ...base, url: 'https://e.org/d.tgz', archiveMember: 'bin/dragonfly' }).archive, { member: 'bin/dragonfly', cache: '/var/cache/dragonfly/d.tgz' });
  t.is(resolveDragonflyOptions(base).archive, undefined);
});
test('archiveMember: without an archive URL', rejects, { archiveMember: 'x' }, 'archiveMember', /url is not a \.tar\.gz or \.tgz archive/);
test('archiveMember: climbing out', rejects, { url: 'https://e.org/d.tar.gz', archiveMember: '../x' }, 'archiveMember', /relative path inside the archive/);
test('an unknown option', rejects, { maxmemory: '512mb' }, 'maxmemory',
  /^dragonfly: unknown option "maxmemory"; did you mean "maxMemory"\? allowed: on, url, sha256, archiveMember, port, bind, password, passwordSecret, maxMemory, envVars$/);
test('on (placement) is allowed', (t) => {
  t.notThrows(() => resolveDragonflyOptions({ ...base, on: 'data' }));
});
