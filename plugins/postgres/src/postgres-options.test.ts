import test from 'ava';
import { isSecret, reveal, secret } from '@runbook/core';
import { postgres } from './postgres.js';
import { resolvePostgresOptions, resolveTarget, type PostgresOptions } from './postgres-options.js';

const app = { app: { name: 'my-shop' } } as never;

test('defaults', (t) => {
  t.deepEqual(resolvePostgresOptions(), {
    database: undefined, user: undefined, password: undefined, passwordSecrets: ['POSTGRES_PASSWORD', 'DATABASE_PASSWORD'],
    host: '127.0.0.1', port: 5432, envVar: 'DATABASE_URL', locale: 'C.UTF-8',
  });
});

const rejects = test.macro((t, o: Record<string, unknown>, key: string, message: RegExp) => {
  const e = t.throws(() => resolvePostgresOptions(o as PostgresOptions));
  t.is((e as { code?: string }).code, 'E_OPTIONS');
  t.is((e as { details?: { key?: string } }).details?.key, key);
  t.regex(e!.message, message);
});
test('database: upper case', rejects, { database: 'Shop' }, 'database', /database must be a lower-case SQL name/);
test('user: a dash', rejects, { user: 'shop-app' }, 'user', /user must be a lower-case SQL name/);
test('password: empty', rejects, { password: '' }, 'password', /non-empty/);
test('port: 0', rejects, { port: 0 }, 'port', /port must be an integer from 1 to 65535/);
test('envVar: not a name', rejects, { envVar: 'DATABASE URL' }, 'envVar', /envVar must be a variable name/);
test('passwordSecrets: empty', rejects, { passwordSecrets: [] }, 'passwordSecrets', /non-empty array/);

test('target: names from the app, the password from POSTGRES_PASSWORD then DATABASE_PASSWORD, URL percent-encoded as a Secret', (t) => {
  const o = resolvePostgresOptions();
  const a = resolveTarget(o, app, { DATABASE_PASSWORD: secret('second'), POSTGRES_PASSWORD: secret("p@ss:w/rd'") }, 'prod');
  t.is(a.database, 'my_shop');
  t.is(a.user, 'my_shop');
  t.is(reveal(a.password), "p@ss:w/rd'");
  t.true(isSecret(a.url));
  t.is(reveal(a.url), "postgresql://my_shop:p%40ss%3Aw%2Frd'@127.0.0.1:5432/my_shop");
  t.is(reveal(resolveTarget(o, app, { DATABASE_PASSWORD: secret('second') }, 'prod').password), 'second');
  const own = resolveTarget(resolvePostgresOptions({ database: 'db', user: 'u', password: 'pw', port: 5433 }), {}, {}, 'prod');
  t.is(reveal(own.url), 'postgresql://u:pw@127.0.0.1:5433/db');
});

test('target: no password, no name', (t) => {
  const e = t.throws(() => resolveTarget(resolvePostgresOptions(), app, {}, 'stg'));
  t.is(e!.message, 'postgres: no password for env "stg": give the password option, or set POSTGRES_PASSWORD or DATABASE_PASSWORD in the stg secrets');
  t.throws(() => resolveTarget(resolvePostgresOptions({ password: 'x' }), {}, {}, 'stg'), { message: /no database name/ });
});

test('contribute: site.database and site.env.DATABASE_URL (the same Secret)', (t) => {
  const site = { env: {} } as never as { env: Record<string, unknown>; database?: { url: unknown; name: string; user: string; unit?: string } };
  postgres({ database: 'shop' }).contribute!(site as never, { env: 'prod', secrets: { POSTGRES_PASSWORD: secret('pw123') } } as never);
  t.deepEqual({ ...site.database, url: undefined }, { url: undefined, name: 'shop', user: 'shop', unit: 'postgresql.service' });
  t.is(site.env.DATABASE_URL, site.database!.url);
  t.is(reveal(site.env.DATABASE_URL as never), 'postgresql://shop:pw123@127.0.0.1:5432/shop');
});
test('an unknown option', rejects, { databse: 'shop' }, 'databse',
  /^postgres: unknown option "databse"; did you mean "database"\? allowed: on, database, user, password, passwordSecrets, host, port, envVar, locale$/);
test('on (placement) is allowed', (t) => {
  t.notThrows(() => resolvePostgresOptions({ on: 'data' }));
});
