/**
 * The Django app of the Django stack runs a celery worker against dragonfly: `run configure` + `run deploy`
 * of apps/demo-django with app + gunicorn + nginx + dragonfly + celery on one real test host, then one task
 * round trip started on the host with `manage.py shell -c` (pages.ping → the broker → the worker → the
 * result back through the broker). Dragonfly's "release" is Debian's redis-server served on the test
 * bridge with its real sha256 (this machine cannot download Dragonfly). Fails, never skips, when the host
 * cannot boot.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BRIDGE_ADDRESS, up, writeInventory, type HostSet } from '@runbook/testhosts';

const repo = resolve(import.meta.dirname, '../../..');
const bin = join(repo, 'apps/cli/dist/bin.js');
const sentinel = 'sentinel' + Math.random().toString(36).slice(2);
const redisServer = readFileSync('/usr/bin/redis-server');
const redisSha = createHash('sha256').update(redisServer).digest('hex');

interface Run { code: number; stdout: string; stderr: string }
const run = (cwd: string, args: string[]): Promise<Run> =>
  new Promise((res) => execFile('node', [bin, ...args], { cwd, env: { ...process.env, CI: 'true' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
    res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
const recap = (r: Run) => JSON.parse(r.stdout.trim().split('\n').pop()!).hosts as Record<string, { changed: number; failed: number }>;
const ssh = (command: string) =>
  new Promise<Run>((res) => execFile('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', `root@${hosts.hosts[0].name}`, command], (err, stdout, stderr) =>
    res({ code: err ? 1 : 0, stdout, stderr })));
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

let hosts: HostSet;
let project: string;
let server: Server;
const outputs: string[] = [];

test.before(async () => {
  hosts = await up({ set: 'itdjcelery', count: 1 });
  server = createServer((req, res) => (req.url === '/v1.27.1/dragonfly-x86_64' ? res.end(redisServer) : res.writeHead(404).end()));
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, BRIDGE_ADDRESS, ok));
  const url = `http://${BRIDGE_ADDRESS}:${(server.address() as AddressInfo).port}/v1.27.1/dragonfly-x86_64`;
  project = mkdtempSync(join(tmpdir(), 'rb-djcelery-'));
  symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(join(project, 'runbook.config.ts'), `
import { app } from '@runbook/app';
import { celery } from '@runbook/celery';
import { defineConfig } from '@runbook/core';
import { dragonfly } from '@runbook/dragonfly';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
export default defineConfig({
  plugins: [
    app({ name: 'demo', source: { upload: { path: ${JSON.stringify(join(repo, 'apps/demo-django'))} } }, wsgi: 'demo.wsgi:application',
          packages: ['python3-venv', 'python3-django'], env: { DATABASE_PATH: '/srv/demo/shared/db.sqlite3' } }),
    gunicorn(),
    nginx(),
    dragonfly({ url: ${JSON.stringify(url)}, sha256: ${JSON.stringify(redisSha)} }),
    celery({ concurrency: 1 }), // -A demo: celery finds demo/celery.py
  ],
});
`);
  writeInventory('itdjcelery', join(project, 'inventories/stg.yml'), { user: 'deploy' });
  mkdirSync(join(project, 'secrets'));
  writeFileSync(join(project, 'secrets/stg.env'), `SECRET_KEY=key-${sentinel}\nDRAGONFLY_PASSWORD=df-${sentinel}\n`);
});
test.after.always(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await hosts?.down();
});

const runs = async (args: string[]) => {
  const r = await run(project, args);
  outputs.push(r.stdout, r.stderr);
  return r;
};

test.serial('configure twice (0 changed the second time) and deploy: the page and the worker', async (t) => {
  const first = await runs(['configure', '--env', 'stg', '--json']);
  t.is(first.code, 0, first.stdout.slice(-4000) + first.stderr);
  const second = await runs(['configure', '--env', 'stg', '--json']);
  t.is(second.code, 0, second.stderr);
  t.is(recap(second)[hosts.hosts[0].name].changed, 0);
  const deploy = await runs(['deploy', '--env', 'stg']);
  t.is(deploy.code, 0, deploy.stdout.slice(-4000) + deploy.stderr);
  t.is((await fetch(`http://${hosts.hosts[0].address}/health/`)).status, 200);
  t.is((await ssh('systemctl is-active dragonfly celery-demo gunicorn.socket nginx')).stdout.trim().split('\n').join(' '), 'active active active active');
  t.regex((await ssh('cat /etc/systemd/system/celery-demo.service')).stdout, /-m celery -A demo worker /);
});

test.serial('a task round trip: manage.py shell on the host → dragonfly → the worker → the result', async (t) => {
  const hostname = (await ssh('hostname')).stdout.trim();
  const code = "from pages.tasks import ping; import json; print(json.dumps(ping.delay('hello-worker').get(timeout=30)))";
  const r = await ssh(`runuser -u demo -- sh -c ${shq(`cd /srv/demo/current && set -a && . /srv/demo/shared/.env && set +a && .venv/bin/python manage.py shell -c ${shq(code)}`)}`);
  t.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { value: string; worker: string; visits: number };
  t.is(result.value, 'hello-worker');
  t.is(result.worker, hostname);
  t.is(typeof result.visits, 'number', 'the worker read the app\'s database');
  const log = await ssh('journalctl -u celery-demo --no-pager -o cat | grep -c "Task pages.ping\\[.*\\] succeeded" || true');
  t.true(Number(log.stdout.trim()) >= 1, 'the worker logged the task');
});

test.serial('no secret in any output', (t) => {
  t.true(outputs.length > 0);
  for (const out of outputs) t.false(out.includes(sentinel), out.slice(0, 500));
});
