import test from 'ava';
import { checkDatabase, databaseType, parseDatabase } from './database.js';

const o = { name: 'shop', owner: 'shop_app' };

test('parse', (t) => {
  t.is(parseDatabase('noserver\n'), null);
  t.is(parseDatabase('\n'), undefined);
  t.is(parseDatabase('postgres\n'), 'postgres');
});

test('absent: create (guarded by \\gexec), UTF8 from template0', (t) => {
  t.deepEqual(checkDatabase(undefined, o, false), {
    changes: ['create database shop owned by shop_app (UTF8, C.UTF-8)'],
    state: "SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L', 'shop', 'shop_app', 'UTF8', 'C.UTF-8', 'C.UTF-8') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'shop')\\gexec",
  });
});

test('other owner: alter; same owner: no-op; --check before install', (t) => {
  t.deepEqual(checkDatabase('postgres', o, false), { changes: ['owner of database shop: postgres → shop_app'], state: 'ALTER DATABASE "shop" OWNER TO "shop_app";' });
  t.deepEqual(checkDatabase('shop_app', o, false), { noop: 'database shop owned by shop_app' });
  t.deepEqual(checkDatabase(null, o, true), { changes: ['create database shop owned by shop_app (PostgreSQL not installed yet)'] });
  t.throws(() => checkDatabase(null, o, false), { message: /postgresql package installed/ });
});

test('options', (t) => {
  t.throws(() => databaseType.validate!({ name: 'shop;drop', owner: 'x' }), { message: /name: expected a lower-case SQL name/ });
  t.throws(() => databaseType.validate!({ name: 'shop', owner: 'x', locale: "C'" }), { message: /locale: expected a locale name/ });
});
