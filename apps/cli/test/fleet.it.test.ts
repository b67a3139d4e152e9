/**
 * An env of four hosts with roles, through the real `run` binary: 2 web (gunicorn + nginx), 1 worker
 * (celery worker + beat), 1 data (PostgreSQL + dragonfly). The app runs on web and worker hosts; the
 * data host's plugins offer them DATABASE_URL and CELERY_BROKER_URL at its address. Proven from outside:
 * a job queued through either web host is processed by the worker; the migration ran on one host; a
 * build that fails on one host switches no host; a rolling deploy drops no request. Dragonfly's
 * "release" is Debian's redis-server served on the test bridge. Fails, never skips, when hosts cannot boot.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutSet, type HostSet, up } from '@runbook/testhosts';
import { dragonflyRelease, recap, repo, sshRoot, stackProject, type Run } from './helpers/stack.js';

const sentinel = 'sentinel' + Math.random().toString(36).slice(2);
let hosts: HostSet;
let project: ReturnType<typeof stackProject>;
let release: Awaited<ReturnType<typeof dragonflyRelease>> | undefined;
const name = (i: number) => hosts.hosts[i].name;
const address = (i: number) => hosts.hosts[i].address;
const ssh = (i: number, command: string) => sshRoot(hosts, name(i), command);
const web = [0, 1];
const worker = 2;
const data = 3;
const app = [0, 1, 2];

test.before(async () => {
  hosts = await up({ set: checkoutSet('itfleet'), count: 4 });
  release = await dragonflyRelease();
  project = stackProject(checkoutSet('itfleet'), `
import { app } from '@runbook/app';
import { celery } from '@runbook/celery';
import { defineConfig } from '@runbook/core';
import { dragonfly } from '@runbook/dragonfly';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
import { postgres } from '@runbook/postgres';
export default defineConfig({
  plugins: [
    app({ name: 'demo', on: 'web,worker', source: { upload: { path: ${JSON.stringify(join(repo, 'apps/demo-django'))} } }, wsgi: 'demo.wsgi:application',
          packages: ['python3-venv', 'python3-django', 'python3-psycopg2', 'python3-celery', 'python3-redis'] }),
    gunicorn({ on: 'web' }),
    nginx({ on: 'web' }),
    postgres({ on: 'data' }),
    dragonfly({ on: 'data', url: ${JSON.stringify(release.url)}, sha256: ${JSON.stringify(release.sha256)} }),
    celery({ on: 'worker', concurrency: 1, beat: true }),
  ],
});
`, `SECRET_KEY=key-${sentinel}\nPOSTGRES_PASSWORD=pg-${sentinel}\nDRAGONFLY_PASSWORD=df-${sentinel}\n`);
  // the roles, as a team writes them; gunicorn's workers come from the web group's vars
  writeFileSync(join(project.dir, 'inventories/stg.yml'), [
    'sshConfig: ./stg.ssh_config',
    'groups:',
    '  web: { vars: { gunicorn: { workers: 3 } } }',
    'hosts:',
    `  ${name(0)}: { groups: [web] }`,
    `  ${name(1)}: { groups: [web] }`,
    `  ${name(2)}: { groups: [worker] }`,
    `  ${name(3)}: { groups: [data] }`,
    '',
  ].join('\n'));
});
test.after.always(async () => {
  await release?.close();
  await hosts?.down();
});

const json = (r: Run) => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
const currentOf = async (i: number) => (await ssh(i, 'readlink /srv/demo/current')).stdout.trim();

test.serial('configure twice (0 changed), then deploy: one release everywhere, the migration once, a job through each web host', async (t) => {
  const first = await project.run(['configure', '--env', 'stg', '--json']);
  t.is(first.code, 0, first.stdout.slice(-4000) + first.stderr);
  const second = await project.run(['configure', '--env', 'stg', '--json']);
  t.is(second.code, 0, second.stderr);
  for (const [host, r] of Object.entries(recap(second))) t.is(r.changed, 0, `${host} changed nothing the second time`);
  t.log(`4 hosts: first configure ${first.seconds.toFixed(1)} s, second (no-op) ${second.seconds.toFixed(1)} s`);

  // roles: nginx and gunicorn only on web hosts, celery only on the worker, the databases only on the data host
  t.regex((await ssh(0, 'cat /etc/gunicorn/gunicorn.conf.py')).stdout, /workers = 3/, 'group vars reach the plugin option');
  t.not((await ssh(worker, 'systemctl is-active nginx')).stdout.trim(), 'active');
  t.not((await ssh(data, 'test -d /srv/demo && echo app')).stdout.trim(), 'app', 'no app on the data host');
  for (const i of web) t.is((await ssh(i, 'systemctl list-unit-files "celery*" --no-legend | wc -l')).stdout.trim(), '0', 'no celery on web hosts');
  // the app hosts reach the data host at its address
  for (const i of app) t.regex((await ssh(i, 'cat /srv/demo/shared/.env')).stdout, new RegExp(`DATABASE_URL=.*@${address(data).replace(/\./g, '\\.')}:5432/`));

  const deploy = await project.run(['deploy', '--env', 'stg', '--json']);
  t.is(deploy.code, 0, deploy.stdout.slice(-4000) + deploy.stderr);
  // the worker's units start once a release is live; beat on the one worker only
  t.is((await ssh(worker, 'systemctl is-active celery-demo celery-beat-demo')).stdout.trim().split('\n').join(' '), 'active active');
  t.log(`4 hosts: deploy ${deploy.seconds.toFixed(1)} s`);
  const events = json(deploy);
  const served = recap(deploy);
  const id = served[name(0)].state?.release;
  t.truthy(id);
  for (const i of app) t.is(served[name(i)].state?.release, id, `${name(i)} serves the new release`);
  t.is(served[name(data)].execs, 0, 'the data host has nothing to deploy: not even connected');
  const migrations = events.filter((e) => e.type === 'task' && String(e.title).startsWith('migrate in') && e.status === 'changed');
  t.deepEqual(migrations.map((e) => e.host), [name(0)], 'the migration ran once, on the first web host');
  t.is((await Promise.all(app.map((i) => ssh(i, `test -f /srv/demo/releases/${id}/.rb-migrated && echo yes`)))).filter((r) => r.stdout.trim() === 'yes').length, 1);

  for (const i of web) {
    const queued = await fetch(`http://${address(i)}/jobs/`, { method: 'POST' });
    t.is(queued.status, 202);
    const job = (await queued.json()) as { id: number; queued_by: string };
    let row: { processed_by: string } | undefined;
    for (let tries = 0; tries < 60 && !row?.processed_by; tries++) {
      await new Promise((r) => setTimeout(r, 500));
      const list = (await (await fetch(`http://${address(i)}/jobs/`)).json()) as { jobs: { id: number; processed_by: string }[] };
      row = list.jobs.find((j) => j.id === job.id);
    }
    t.is(row?.processed_by, (await ssh(worker, 'hostname')).stdout.trim(), `a job queued through ${name(i)} ran on the worker`);
  }
});

test.serial('the data host serves only the env: PostgreSQL refuses this machine, the broker wants its password', async (t) => {
  const psql = await new Promise<{ code: number; stderr: string }>((res) => {
    import('node:child_process').then(({ execFile }) => execFile('psql', ['-h', address(data), '-U', 'demo', '-d', 'demo', '-c', 'select 1', '-w'], {
      env: { ...process.env, PGPASSWORD: `pg-${sentinel}`, PGCONNECT_TIMEOUT: '5' },
    }, (err, _o, stderr) => res({ code: err ? 1 : 0, stderr })));
  });
  t.is(psql.code, 1);
  t.regex(psql.stderr, /no pg_hba\.conf entry|timeout|refused/, psql.stderr);
  // from an app host, the same credentials work
  const query = `import psycopg2; c = psycopg2.connect(host='${address(data)}', user='demo', dbname='demo', password='pg-${sentinel}'); cur = c.cursor(); cur.execute('select count(*) from django_migrations'); print(cur.fetchone()[0])`;
  const fromWeb = await ssh(0, `python3 -c "${query}" 2>&1 || echo FAILED`);
  t.regex(fromWeb.stdout.trim(), /^\d+$/, fromWeb.stdout);
  const broker = await new Promise<string>((res) => {
    import('node:net').then(({ connect }) => {
      const sock = connect({ host: address(data), port: 6379 });
      let out = '';
      sock.setTimeout(3000, () => (sock.destroy(), res(out || 'timeout')));
      sock.on('error', (e) => res(`error: ${e.message}`));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => (out += d.toString()));
      sock.on('close', () => res(out || 'closed'));
    });
  });
  // the broker listens on the data host's private address for the env's hosts, behind its password
  t.notRegex(broker, /PONG/, 'the broker serves no client without the password');
  t.regex(broker, /NOAUTH|timeout|refused|error/, broker);
  t.is((await ssh(data, `ss -ltn 'sport = :6379' | grep -c '0.0.0.0:6379' || true`)).stdout.trim(), '0', 'never on 0.0.0.0');
});

test.serial('a build that fails on one web host: no host switches, the old release serves everywhere, no lock left', async (t) => {
  const before = await Promise.all(app.map(currentOf));
  // collectstatic fails on web-2 only (the venv itself is reused from the last release: no venv build to
  // break); its releases forget their static key, so it collects instead of linking the last release's
  const command = '/usr/lib/python3/dist-packages/django/contrib/staticfiles/management/commands/collectstatic.py';
  await ssh(1, `mv ${command} ${command}.off && rm -f /srv/demo/releases/*/.rb-static`);
  try {
    const deploy = await project.run(['deploy', '--env', 'stg']);
    t.is(deploy.code, 1);
    t.regex(deploy.stdout + deploy.stderr, /build failed on .*: no host switches/);
    t.deepEqual(await Promise.all(app.map(currentOf)), before, 'every host still serves the release it served');
    for (const i of app) t.is((await ssh(i, 'test -e /srv/demo/.deploy-lock && echo locked')).stdout.trim(), '', `no lock on ${name(i)}`);
    for (const i of web) t.is((await fetch(`http://${address(i)}/health/`)).status, 200);
  } finally {
    await ssh(1, `mv ${command}.off ${command}`);
  }
});

test.serial('a rolling deploy (--serial 1) under a request loop through both web hosts: 0 failed requests', async (t) => {
  let stop = false;
  const results = { ok: 0, failed: [] as string[] };
  const loop = (async () => {
    for (let n = 0; !stop && n < 20000; n++) {
      const i = web[n % web.length];
      try {
        const r = await fetch(`http://${address(i)}/`);
        await r.text();
        if (r.status === 200) results.ok++;
        else results.failed.push(`${name(i)}: ${r.status}`);
      } catch (e) {
        results.failed.push(`${name(i)}: ${(e as Error).message}`);
      }
    }
  })();
  const deploy = await project.run(['deploy', '--env', 'stg', '--serial', '1', '--json']);
  stop = true;
  await loop;
  t.is(deploy.code, 0, deploy.stdout.slice(-3000) + deploy.stderr);
  const ids = new Set(app.map((i) => recap(deploy)[name(i)].state?.release));
  t.is(ids.size, 1, 'the fleet ends on one release');
  t.true(results.ok > 50, `requests served: ${results.ok}`);
  t.deepEqual(results.failed, []);
  t.log(`rolling deploy: ${deploy.seconds.toFixed(1)} s, ${results.ok} requests, 0 failed`);
});

test.serial('no secret in any output', (t) => {
  t.true(project.outputs.length > 0);
  for (const out of project.outputs) t.false(out.includes(sentinel), out.slice(0, 500));
});
