import test from 'ava';
import { secret } from '@runbook/core';
import { checkRole, parseRole, roleType } from './role.js';
import { scramVerifier } from './scram.js';

const o = { name: 'shop', password: secret('right-password') };
const good = scramVerifier('right-password');

test('parse: no server, absent, present (t or true), verifier kept whole', (t) => {
  t.deepEqual(parseRole('noserver\n'), { server: false });
  t.deepEqual(parseRole('\n'), { server: true, exists: false });
  t.deepEqual(parseRole(`t|${good}\n`), { server: true, exists: true, login: true, verifier: good });
  t.deepEqual(parseRole('true|\n'), { server: true, exists: true, login: true, verifier: '' });
  t.deepEqual(parseRole('false|md5abc\n'), { server: true, exists: true, login: false, verifier: 'md5abc' });
});

const plan = test.macro((t, fact: ReturnType<typeof parseRole>, check: boolean, expected: string[] | string) => {
  const p = checkRole(fact, o, check);
  if (typeof expected === 'string') t.deepEqual(p, { noop: expected });
  else t.deepEqual('changes' in p ? p.changes : p, expected);
});
test('absent: create', plan, { server: true, exists: false }, false, ['create role shop (login, password)']);
test('matching password, login: no-op', plan, { server: true, exists: true, login: true, verifier: good }, false,
  'role shop can log in, password matches its SCRAM verifier');
test('other password', plan, { server: true, exists: true, login: true, verifier: scramVerifier('old') }, false, ['set the password of role shop']);
test('md5 hash: set as SCRAM', plan, { server: true, exists: true, login: true, verifier: 'md5' + '0'.repeat(32) }, false,
  ['set the password of role shop (as SCRAM-SHA-256)']);
test('no login', plan, { server: true, exists: true, login: false, verifier: good }, false, ['allow role shop to log in']);
test('--check before PostgreSQL is installed', plan, { server: false }, true, ['create role shop (login, password; PostgreSQL not installed yet)']);

test('a real run without PostgreSQL fails', (t) => {
  t.throws(() => checkRole({ server: false }, o, false), { message: /psql or the postgres user is missing/ });
});

test('apply: create-or-alter with a SCRAM verifier through stdin; the password in neither script nor display', (t) => {
  const p = checkRole({ server: true, exists: false }, o, false);
  if (!('changes' in p)) return t.fail();
  const [cmd] = roleType.apply(p, o, { alias: 'h', user: 'root', runAs: 'root', vars: {}, check: false });
  t.is(cmd.display, 'psql: create or alter role shop (login, password)');
  t.regex(cmd.script, /^cd \/ && runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 <<'RUNBOOK_SQL'\nDO \$runbook\$ BEGIN\n/);
  t.regex(cmd.script, /IF EXISTS \(SELECT FROM pg_roles WHERE rolname = 'shop'\) THEN ALTER ROLE "shop" WITH LOGIN PASSWORD 'SCRAM-SHA-256\$4096:/);
  t.regex(cmd.script, /ELSE CREATE ROLE "shop" WITH LOGIN PASSWORD 'SCRAM-SHA-256\$4096:/);
  t.false(cmd.script.includes('right-password'));
});

test('options: a name that needs quoting, an empty password', (t) => {
  t.throws(() => roleType.validate!({ name: 'Shop-App', password: secret('x') }), { message: /name: expected a lower-case SQL name/ });
  t.throws(() => roleType.validate!({ name: 'shop', password: secret('') }), { message: /password: expected a non-empty Secret/ });
});
