/**
 * postgres on a real Debian host: Debian's postgresql, a role with a password from the env's secrets and
 * a database it owns; configure twice (0 changed). A stand-in for @runbook/app writes `site.env`'s
 * DATABASE_URL into a 0600 file, and psql on the host connects with that URL and runs queries (create a
 * table: the role owns the database). A changed password updates only the role. No password in any
 * event. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { definePlugin, isSecret, secret, type Plugin, type RunEvent, type Secret } from '@runbook/core';
import { file } from '@runbook/system';
import { boot, checkoutSet, explain, type Harness } from '@runbook/testing';
import { postgres } from '../src/index.js';

const PW = "Pg-s3cret p@ss:w/rd'\"$";
const PW2 = 'changed-Pg-pass-99';
let h: Harness;
const allEvents: RunEvent[] = [];

/** Stands in for @runbook/app: site.env.DATABASE_URL into a .env-like file (0600, content hidden). */
const envWriter: Plugin = definePlugin({
  name: 'env-writer',
  configure: ({ site }) => {
    const url = site.env.DATABASE_URL;
    if (!isSecret(url)) throw new Error('DATABASE_URL is not a Secret');
    return [file({ path: '/root/database_url', content: url, mode: '0600' })];
  },
});
const plugins = (): Plugin[] => [postgres({ database: 'shop', user: 'shop_app' }), envWriter];
const secrets = (pw = PW): Record<string, Secret> => ({ POSTGRES_PASSWORD: secret(pw, 'POSTGRES_PASSWORD') });
const configure = async (pw = PW) => {
  const out = await h.configure(plugins(), { secrets: secrets(pw) });
  allEvents.push(...out.events);
  return out;
};
/** psql on the host with the URL the app gets (read from the file, never on this test's command line). */
const psql = (sql: string): Promise<string> => h.ssh(`psql "$(cat /root/database_url)" -XAtq -v ON_ERROR_STOP=1 -c '${sql}' 2>&1 || true`);

test.before(async () => {
  h = await boot(checkoutSet('itpostgres'));
});
test.after.always(async () => {
  await h?.close();
});

test.serial('configure twice (0 changed); psql connects with DATABASE_URL as the role and owns the database', async (t) => {
  const first = await configure();
  t.is(first.result.exitCode, 0, explain(first));
  t.deepEqual(first.tasks.filter((e) => e.task.startsWith('postgres.')).map((e) => [e.task, e.changes ?? e.reason]), [
    ['postgres.role', ['create role shop_app (login, password)']],
    ['postgres.database', ['create database shop owned by shop_app (UTF8, C.UTF-8)']],
    // one host: Debian's defaults, nothing listens beyond localhost
    ['postgres.access', 'no other host needs it: listening on localhost'],
  ]);
  const second = await configure();
  t.is(second.result.exitCode, 0, explain(second));
  t.is(second.changed, 0, explain(second));
  t.is(second.tasks.find((e) => e.task === 'postgres.role')?.reason, 'role shop_app can log in, password matches its SCRAM verifier');

  t.is(await h.ssh('systemctl is-active postgresql'), 'active');
  t.is(await h.ssh('stat -c %a /root/database_url'), '600');
  t.regex(await h.ssh('cat /root/database_url'), /^postgresql:\/\/shop_app:[^@]+@127\.0\.0\.1:5432\/shop$/);
  t.is(await psql('select current_user, current_database(), pg_encoding_to_char(encoding) from pg_database where datname = current_database()'), 'shop_app|shop|UTF8');
  t.is(await psql('create table if not exists events (id text primary key); insert into events values (1) on conflict do nothing; select count(*) from events'), '1');
  t.regex(await h.ssh(`runuser -u postgres -- psql -XAtc "select rolpassword from pg_authid where rolname = 'shop_app'"`), /^SCRAM-SHA-256\$4096:/);
});

test.serial('a changed password updates the role only; the old one stops working; then 0 changed', async (t) => {
  const changed = await configure(PW2);
  t.is(changed.result.exitCode, 0, explain(changed));
  t.deepEqual(changed.tasks.filter((e) => e.status === 'changed').map((e) => [e.task, e.changes]), [
    ['postgres.role', ['set the password of role shop_app']],
    ['file.content', ['update content of /root/database_url (content hidden)']],
  ]);
  t.is(await psql('select current_user'), 'shop_app');
  const old = await h.ssh(`PGPASSWORD=${"'"}${PW.replace(/'/g, `'\\''`)}${"'"} psql -h 127.0.0.1 -U shop_app -d shop -XAtc 'select 1' 2>&1 || true`);
  t.regex(old, /password authentication failed/);
  t.is((await configure(PW2)).changed, 0);
});

test.serial('no password in any event', (t) => {
  t.true(allEvents.length > 0);
  const text = JSON.stringify(allEvents);
  for (const pw of [PW, PW2, encodeURIComponent(PW), 'SCRAM-SHA-256$']) t.false(text.includes(pw), `${pw} appears in the events`);
});
