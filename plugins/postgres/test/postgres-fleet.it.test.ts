/**
 * postgres serving an env of two real Debian hosts: host A (group `data`) runs postgres, host B (group
 * `web`) runs the app — a stand-in that only names it — and gets DATABASE_URL at A's private address.
 * Configure twice (0 changed); from B, psql with that URL connects as the app's role; from the control
 * machine (the test bridge's address, not a host of the env) the right password is refused by pg_hba;
 * A listens on localhost and its private address only. Back to one host: runbook's listen file and
 * pg_hba lines go. No password in any event. Fails (never skips) when the hosts cannot boot.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { definePlugin, isSecret, secret, type AppModel, type Plugin, type RunEvent } from '@runbook/core';
import { file } from '@runbook/system';
import { boot, checkoutSet, type ConfigureOptions, explain, type Harness } from '@runbook/testing';
import { postgres } from '../src/index.js';

const run$ = promisify(execFile);
const PW = "Pg-fleet s3cret'\"$";
const secrets = { POSTGRES_PASSWORD: secret(PW, 'POSTGRES_PASSWORD') };
let h: Harness;
let a: { name: string; address: string };
let b: { name: string; address: string };
const allEvents: RunEvent[] = [];

/** Stands in for @runbook/app on the web hosts: the app's name, and DATABASE_URL written to a 0600 file. */
const app: Plugin = definePlugin({
  name: 'app',
  on: 'web',
  contribute: (site) => void (site.app = { name: 'shop' } as AppModel),
  configure: ({ site }) => {
    const url = site.env.DATABASE_URL;
    if (!isSecret(url)) throw new Error('DATABASE_URL is not a Secret');
    return [file({ path: '/root/database_url', content: url, mode: '0600' })];
  },
});
const fleet = (): ConfigureOptions['fleet'] => [{ host: a.name, groups: ['data'] }, { host: b.name, groups: ['web'] }];
const configure = async (plugins: Plugin[], opts: ConfigureOptions = { fleet: fleet() }) => {
  const out = await h.configure(plugins, { secrets, ...opts });
  allEvents.push(...out.events);
  return out;
};
/** psql from this machine (an address outside the env) with the right password. */
const fromOutside = async (): Promise<string> => {
  const r = await run$('psql', ['-h', a.address, '-U', 'shop', '-d', 'shop', '-XAtc', 'select 1'], { env: { ...process.env, PGPASSWORD: PW, PGCONNECT_TIMEOUT: '5' } })
    .catch((e: { stderr?: string }) => ({ stdout: '', stderr: e.stderr ?? String(e) }));
  return `${r.stdout}${r.stderr}`.trim();
};

test.before(async () => {
  h = await boot(checkoutSet('itpgfleet'), { count: 2 });
  [a, b] = h.hosts.hosts;
  // psql on the client host (the app would bring its driver; the test uses the client)
  await h.ssh('DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-client >/dev/null', { host: b.name });
});
test.after.always(async () => {
  await h?.close();
});

test.serial('configure twice (0 changed): B gets DATABASE_URL at A, connects as the role; outsiders are refused by pg_hba', async (t) => {
  const plugins = [app, postgres({ on: 'data' })];
  const first = await configure(plugins);
  t.is(first.result.exitCode, 0, explain(first));
  t.deepEqual(first.tasks.find((e) => e.task === 'postgres.access')?.changes, [
    `listen_addresses = 'localhost,${a.address}' (/etc/postgresql/15/main/conf.d/runbook.conf)`,
    `pg_hba.conf: let shop to shop from ${b.address}/32 in`,
    `restart PostgreSQL: listening on localhost, wanted localhost,${a.address}`,
  ]);
  t.deepEqual([...new Set(first.tasks.filter((e) => e.task.startsWith('postgres.')).map((e) => e.host))], [a.name], 'postgres only on A');
  const second = await configure(plugins);
  t.is(second.result.exitCode, 0, explain(second));
  t.is(second.changed, 0, explain(second));

  t.regex(await h.ssh('cat /root/database_url', { host: b.name }), new RegExp(`^postgresql://shop:[^@]+@${a.address.replace(/\./g, '\\.')}:5432/shop$`));
  t.is(await h.ssh(`psql "$(cat /root/database_url)" -XAtc 'select current_user, inet_client_addr()' 2>&1`, { host: b.name }), `shop|${b.address}`);
  t.regex(await fromOutside(), /no pg_hba\.conf entry for host "10\.77\.0\.1", user "shop", database "shop"/);
  t.is(await h.ssh(`runuser -u postgres -- psql -XAtc 'show listen_addresses'`, { host: a.name }), `localhost,${a.address}`);
  t.is(await h.ssh(`grep -c '^host' /etc/postgresql/15/main/pg_hba.conf`, { host: a.name }), '5', "Debian's 4 localhost lines and B's");
  t.is(await h.ssh(`stat -c %a:%U /etc/postgresql/15/main/pg_hba.conf`, { host: a.name }), '640:postgres');
});

test.serial('back to one host: runbook\'s listen file and pg_hba lines go (restart), then 0 changed', async (t) => {
  const single = [postgres({ database: 'shop' })];
  const back = await configure(single, { host: a.name });
  t.is(back.result.exitCode, 0, explain(back));
  t.deepEqual(back.tasks.find((e) => e.task === 'postgres.access')?.changes, [
    'remove /etc/postgresql/15/main/conf.d/runbook.conf: listen on localhost only',
    `pg_hba.conf: no longer let shop to shop from ${b.address}/32 in`,
    `restart PostgreSQL: listening on localhost,${a.address}`,
  ]);
  t.is(await h.ssh(`runuser -u postgres -- psql -XAtc 'show listen_addresses'`, { host: a.name }), 'localhost');
  t.is(await h.ssh(`grep -c '^host' /etc/postgresql/15/main/pg_hba.conf`, { host: a.name }), '4');
  t.is((await configure(single, { host: a.name })).changed, 0);
});

test.serial('no password in any event', (t) => {
  t.true(allEvents.length > 0);
  const text = JSON.stringify(allEvents);
  for (const pw of [PW, encodeURIComponent(PW)]) t.false(text.includes(pw), 'a password appears in the events');
});
