/**
 * The worker stack end to end, as a team runs it: `run configure` and `run deploy` of apps/demo-flask on
 * two real test hosts — both web hosts with app + uwsgi + celery + nginx, the first also the env's data
 * host (postgres + dragonfly, `on: 'data'`) that the second reaches at its address. Webhooks go through
 * nginx → uWSGI (202 at once) → dragonfly → the celery worker → PostgreSQL, checked from outside; a
 * repeated event is processed once; systemd brings a killed dragonfly back and the queue works again;
 * alembic is at head and a second deploy migrates nothing; configure is idempotent and check mode reports
 * a hand-edited unit; no secret in any output. Logs configure/deploy wall times and the webhook → processed
 * latency through the real queue.
 *
 * This machine cannot download Dragonfly: its "release" URL is an HTTP server on the test bridge serving
 * Debian's /usr/bin/redis-server (a Redis-protocol server) with its real sha256, as the dragonfly
 * plugin's own test does. Fails (never skips) when the hosts cannot boot.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quote } from '@runbook/core';
import type { HostSet } from '@runbook/testhosts';
import { dragonflyRelease, recap, repo, sshRoot, stackHosts, stackProject } from './helpers/stack.js';

const sentinel = 'sentinel' + Math.random().toString(36).slice(2);
const APP = 'hooks';

const ssh = (command: string, host: string) => sshRoot(hosts, host, command);
/** A command of the app on the host: as its user, in the live release, with its .env. */
const asApp = (command: string, host: string) =>
  ssh(`runuser -u ${APP} -- sh -c ${quote(`cd /srv/${APP}/current && set -a && . /srv/${APP}/shared/.env && set +a && ${command}`)}`, host);
/** The data host (postgres, dragonfly): the first; the second reaches it at its address. */
const dataHost = () => hosts.hosts[0];
/** redis-cli on the data host, at the address it serves the env on, with the password from dragonfly's EnvironmentFile (never on a command line). */
const ping = async () => (await ssh(`set -a; . /etc/dragonfly/dragonfly.env; redis-cli -h ${dataHost().address} ping 2>&1`, dataHost().name)).stdout.trim();
/** psql as postgres on the data host. */
const psql = (sql: string) => ssh(`runuser -u postgres -- psql -d ${APP} -Atc ${quote(sql)}`, dataHost().name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface ProcessedEvent { event_id: string; received_at: string; processed_at: string; attempts: number; worker: string; payload: string | null }
const post = (address: string, id: string) =>
  fetch(`http://${address}/webhooks/${id}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, at: Date.now() }) });
/** Polls GET /events/<id> until the worker has recorded it (or `until` says it is not done yet). */
async function processed(address: string, id: string, until: (e: ProcessedEvent) => boolean = () => true, ms = 30_000): Promise<ProcessedEvent | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) {
    const r = await fetch(`http://${address}/events/${id}`).catch(() => undefined);
    if (r?.status === 200) {
      const e = (await r.json()) as ProcessedEvent;
      if (until(e)) return e;
    } else await r?.arrayBuffer();
  }
  return undefined;
}

let hosts: HostSet;
let project: ReturnType<typeof stackProject>;
let release: Awaited<ReturnType<typeof dragonflyRelease>> | undefined;
const times: string[] = [];

test.before(async () => {
  hosts = await stackHosts('itflask', 2);
  release = await dragonflyRelease();
  project = stackProject(hosts.set, `
import { app } from '@runbook/app';
import { celery } from '@runbook/celery';
import { defineConfig } from '@runbook/core';
import { dragonfly } from '@runbook/dragonfly';
import { nginx } from '@runbook/nginx';
import { postgres } from '@runbook/postgres';
import { uwsgi } from '@runbook/uwsgi';
export default defineConfig({
  plugins: [
    app({
      name: ${JSON.stringify(APP)},
      source: { upload: { path: ${JSON.stringify(join(repo, 'apps/demo-flask'))} } },
      wsgi: 'demo_flask.wsgi:app',
      packages: ['python3-venv', 'python3-flask', 'python3-sqlalchemy', 'python3-alembic', 'python3-psycopg2', 'python3-celery', 'python3-redis'],
      migrate: ['python', '-m', 'alembic', 'upgrade', 'head'],
      collectstatic: false,
    }),
    postgres({ on: 'data' }),
    dragonfly({ on: 'data', url: ${JSON.stringify(release.url)}, sha256: ${JSON.stringify(release.sha256)}, maxMemory: '128mb' }),
    uwsgi({ processes: 2 }),
    celery({ app: 'demo_flask.tasks:celery', concurrency: 2 }),
    nginx(),
  ],
});
`, [`SECRET_KEY=key-${sentinel}`, `POSTGRES_PASSWORD=pg-${sentinel}`, `DRAGONFLY_PASSWORD=df-${sentinel}`, ''].join('\n'));
  writeFileSync(join(project.dir, 'inventories/stg.yml'), [
    'sshConfig: ./stg.ssh_config',
    'hosts:',
    `  ${hosts.hosts[0].name}: { groups: [web, data] }`,
    `  ${hosts.hosts[1].name}: { groups: [web] }`,
    '',
  ].join('\n'));
});
test.after.always(async () => {
  await release?.close();
  await hosts?.down();
});

const runs = (args: string[], env: Record<string, string> = {}) => project.run(args, env);

test.serial('configure provisions both hosts; the second configure changes nothing', async (t) => {
  const first = await runs(['configure', '--env', 'stg', '--json']);
  t.is(first.code, 0, first.stdout.slice(-4000) + first.stderr);
  times.push(`configure, first run (2 hosts): ${first.seconds.toFixed(1)} s`);
  const second = await runs(['configure', '--env', 'stg', '--json']);
  t.is(second.code, 0, second.stdout.slice(-4000) + second.stderr);
  times.push(`configure, second run (no-op): ${second.seconds.toFixed(1)} s`);
  for (const h of hosts.hosts) t.is(recap(second)[h.name].changed, 0, `${h.name}: 0 changed on the second configure`);
  t.is(await ping(), 'PONG', 'dragonfly answers at the data host\'s address');
});

test.serial('deploy ships the app: migrations, every unit active, PONG, health through nginx', async (t) => {
  const r = await runs(['deploy', '--env', 'stg']);
  t.is(r.code, 0, r.stdout.slice(-4000) + r.stderr);
  times.push(`deploy (2 hosts): ${r.seconds.toFixed(1)} s`);
  t.is(await ping(), 'PONG');
  for (const h of hosts.hosts) {
    const units = `celery-${APP} uwsgi-${APP} nginx${h === dataHost() ? ' dragonfly postgresql' : ''}`;
    t.is((await ssh(`systemctl is-active ${units}`, h.name)).stdout.trim().split('\n').join(' '), units.split(' ').map(() => 'active').join(' '), `${h.name}: ${units}`);
    const health = await fetch(`http://${h.address}/health/`);
    t.is(health.status, 200);
    t.is(await health.text(), 'ok');
    // alembic ran: the database is at the one revision, which is the head
    const current = await asApp('.venv/bin/python -m alembic current 2>/dev/null', h.name);
    t.is(current.stdout.trim(), '0001_events (head)', current.stderr);
    // one database for the env: the second host reaches it at the data host's address
    if (h !== dataHost()) t.regex((await ssh(`cat /srv/${APP}/shared/.env`, h.name)).stdout, new RegExp(`DATABASE_URL=.*@${dataHost().address.replace(/\./g, '\\.')}:5432/`));
    t.is((await ssh(`stat -c %a:%U /srv/${APP}/shared/.env`, h.name)).stdout.trim(), `600:${APP}`);
  }
});

test.serial('a webhook through nginx answers 202 and the worker records it; the same event twice is processed once', async (t) => {
  const constraint = await psql("select conname from pg_constraint where conname = 'uq_events_event_id'");
  t.is(constraint.stdout.trim(), 'uq_events_event_id', 'the migration ran');
  const workers = await Promise.all(hosts.hosts.map(async (h) => (await ssh('hostname', h.name)).stdout.trim()));
  for (const [n, h] of hosts.hosts.entries()) {
    const id = `evt-${h.name}-${Date.now()}`;
    const r = await post(h.address, id);
    t.is(r.status, 202);
    t.is(((await r.json()) as { queued: string }).queued, id);
    const e = await processed(h.address, id);
    t.truthy(e, `${h.name}: ${id} processed`);
    t.true(workers.includes(e?.worker ?? ''), `processed by a worker of the env (${e?.worker})`);
    t.is(e?.attempts, 1);

    const dup = `dup-${h.name}-${Date.now()}`;
    t.is((await post(h.address, dup)).status, 202);
    t.is((await post(h.address, dup)).status, 202);
    // both deliveries reach the worker: one row, two attempts
    const twice = await processed(h.address, dup, (x) => x.attempts >= 2);
    t.is(twice?.attempts, 2, `${h.name}: both deliveries of ${dup} reached the worker`);
    const all = (await fetch(`http://${h.address}/events`).then((x) => x.json())) as { processed: number; attempts: number; events: ProcessedEvent[] };
    t.is(all.events.filter((x) => x.event_id === dup).length, 1, 'one row for the repeated event');
    const rows = await psql(`select count(*) from events where event_id = '${dup}'`);
    t.is(rows.stdout.trim(), '1');
    // one database for the env: each host's repeated event adds one delivery more than processed rows
    t.is(all.attempts - all.processed, n + 1, 'one delivery more than processed rows per repeated event');
  }
});

test.serial('webhook → processed latency through the real queue (10 events per host)', async (t) => {
  for (const h of hosts.hosts) {
    const queue: number[] = [];
    const seen: number[] = [];
    const answer: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = `lat-${h.name}-${i}-${Date.now()}`;
      const start = performance.now();
      const r = await post(h.address, id);
      answer.push(performance.now() - start);
      t.is(r.status, 202);
      const e = await processed(h.address, id);
      seen.push(performance.now() - start);
      t.truthy(e, id);
      // both clocks are the host's: received by the web request, processed by the worker
      if (e) queue.push(Date.parse(e.processed_at) - Date.parse(e.received_at));
    }
    t.log(`${h.name}: webhook answered (202) median ${median(answer).toFixed(0)} ms; received → processed (host clock) median ${median(queue).toFixed(0)} ms `
      + `(min ${Math.min(...queue)}, max ${Math.max(...queue)}); POST → seen processed by a 20-ms poll median ${median(seen).toFixed(0)} ms`);
  }
});

test.serial('killing dragonfly: systemd restarts it, and a new event through each host is processed again', async (t) => {
  const data = dataHost();
  const before = (await ssh('systemctl show -p MainPID --value dragonfly', data.name)).stdout.trim();
  t.not(before, '0');
  await ssh(`kill -KILL ${before}`, data.name);
  let after = before;
  for (let i = 0; i < 80 && (after === before || after === '0' || (await ping()) !== 'PONG'); i++) {
    await sleep(250);
    after = (await ssh('systemctl show -p MainPID --value dragonfly', data.name)).stdout.trim();
  }
  t.not(after, before, 'a new dragonfly process');
  t.is(await ping(), 'PONG');
  for (const h of hosts.hosts) {
    const id = `after-kill-${h.name}-${Date.now()}`;
    t.is((await post(h.address, id)).status, 202);
    // the worker reconnects with celery's backoff (2 s, 4 s, …): give it a minute, and show its log if not
    const e = await processed(h.address, id, () => true, 60_000);
    const journal = e ? '' : (await ssh(`journalctl -u celery-${APP} --no-pager -o short-precise -n 60`, h.name)).stdout;
    t.truthy(e, `${h.name}: a worker took ${id} from the restarted broker\n${journal}`);
    t.is((await ssh(`systemctl is-active celery-${APP} uwsgi-${APP}`, h.name)).stdout.trim().split('\n').join(' '), 'active active');
  }
});

test.serial('a second deploy with no new migration migrates nothing; configure after it changes nothing', async (t) => {
  const versionRow = `runuser -u postgres -- psql -d ${APP} -Atc "select xmin, version_num from alembic_version"`;
  const before = await ssh(versionRow, dataHost().name);
  const count = await psql('select count(*) from events');
  await sleep(1100); // release ids sort by the second
  const r = await runs(['deploy', '--env', 'stg']);
  t.is(r.code, 0, r.stdout.slice(-4000) + r.stderr);
  times.push(`deploy, second (no new migration): ${r.seconds.toFixed(1)} s`);
  // the migrate command ran once, in the new release on the first host, and alembic found nothing to do:
  // the version row was not rewritten
  const migrated = await Promise.all(hosts.hosts.map(async (h) => (await ssh(`test -f /srv/${APP}/current/.rb-migrated && echo migrated`, h.name)).stdout.trim()));
  t.deepEqual(migrated, ['migrated', ''], 'the migration ran on one host');
  t.is((await ssh(versionRow, dataHost().name)).stdout, before.stdout, 'alembic_version untouched');
  t.regex(before.stdout, /\|0001_events$/m);
  t.is((await psql('select count(*) from events')).stdout, count.stdout, 'the events are still there');
  for (const h of hosts.hosts) {
    const upgrade = await asApp('.venv/bin/python -m alembic upgrade head 2>&1', h.name);
    t.notRegex(upgrade.stdout, /Running upgrade/, 'alembic has nothing to do');
    const id = `second-${h.name}-${Date.now()}`;
    t.is((await post(h.address, id)).status, 202);
    t.truthy(await processed(h.address, id), `${h.name}: the new release processes events`);
  }
  const again = await runs(['configure', '--env', 'stg', '--json']);
  t.is(again.code, 0, again.stderr);
  for (const h of hosts.hosts) t.is(recap(again)[h.name].changed, 0, `${h.name}: 0 changed after the deploy`);
});

test.serial('check mode after a hand edit of a unit file reports the diff and exit 2; configure puts it back', async (t) => {
  const [h] = hosts.hosts;
  const unit = `/etc/systemd/system/celery-${APP}.service`;
  await ssh(`sed -i 's/--loglevel=info/--loglevel=debug/' ${unit}`, h.name);
  const check = await runs(['configure', '--env', 'stg', '--check', '--diff']);
  t.is(check.code, 2, check.stdout.slice(-3000) + check.stderr);
  t.regex(check.stdout, /^-.*--loglevel=debug/m);
  t.regex(check.stdout, /^\+.*--loglevel=info/m);
  t.regex((await ssh(`cat ${unit}`, h.name)).stdout, /--loglevel=debug/, 'check mode changed nothing');
  const fix = await runs(['configure', '--env', 'stg', '--json']);
  t.is(fix.code, 0, fix.stderr);
  t.true(recap(fix)[h.name].changed > 0);
  t.regex((await ssh(`cat ${unit}`, h.name)).stdout, /--loglevel=info/);
  t.is((await ssh(`systemctl is-active celery-${APP}`, h.name)).stdout.trim(), 'active');
});

test.serial('no secret (database, broker password, secret key) in any output; the times', (t) => {
  t.true(project.outputs.length > 0);
  for (const out of project.outputs) t.false(out.includes(sentinel), out.slice(0, 500));
  for (const line of times) t.log(line);
});
