/**
 * The Django app of the Django stack runs a celery worker against dragonfly: `run configure` + `run deploy`
 * of apps/demo-django with app + gunicorn + nginx + dragonfly + celery on one real test host, then one task
 * round trip started on the host with `manage.py shell -c` (pages.ping → the broker → the worker → the
 * result back through the broker). Dragonfly's "release" is Debian's redis-server served on the test
 * bridge with its real sha256 (this machine cannot download Dragonfly). Fails, never skips, when the host
 * cannot boot.
 */
import test from 'ava';
import { quote } from '@runbook/core';
import { checkoutSet, type HostSet, up } from '@runbook/testhosts';
import { demoDjangoApp, dragonflyRelease, recap, sshRoot, stackProject } from './helpers/stack.js';

const sentinel = 'sentinel' + Math.random().toString(36).slice(2);

const ssh = (command: string) => sshRoot(hosts, hosts.hosts[0].name, command);

let hosts: HostSet;
let project: ReturnType<typeof stackProject>;
let release: Awaited<ReturnType<typeof dragonflyRelease>> | undefined;

test.before(async () => {
  hosts = await up({ set: checkoutSet('itdjcelery'), count: 1 });
  release = await dragonflyRelease();
  project = stackProject(checkoutSet('itdjcelery'), `
import { app } from '@runbook/app';
import { celery } from '@runbook/celery';
import { defineConfig } from '@runbook/core';
import { dragonfly } from '@runbook/dragonfly';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
export default defineConfig({
  plugins: [
    ${demoDjangoApp},
    gunicorn(),
    nginx(),
    dragonfly({ url: ${JSON.stringify(release.url)}, sha256: ${JSON.stringify(release.sha256)} }),
    celery({ concurrency: 1 }), // -A demo: celery finds demo/celery.py
  ],
});
`, `SECRET_KEY=key-${sentinel}\nDRAGONFLY_PASSWORD=df-${sentinel}\n`);
});
test.after.always(async () => {
  await release?.close();
  await hosts?.down();
});

const runs = (args: string[]) => project.run(args);

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
  const r = await ssh(`runuser -u demo -- sh -c ${quote(`cd /srv/demo/current && set -a && . /srv/demo/shared/.env && set +a && .venv/bin/python manage.py shell -c ${quote(code)}`)}`);
  t.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { value: string; worker: string; visits: number };
  t.is(result.value, 'hello-worker');
  t.is(result.worker, hostname);
  t.is(typeof result.visits, 'number', 'the worker read the app\'s database');
  const log = await ssh('journalctl -u celery-demo --no-pager -o cat | grep -c "Task pages.ping\\[.*\\] succeeded" || true');
  t.true(Number(log.stdout.trim()) >= 1, 'the worker logged the task');
});

test.serial('no secret in any output', (t) => {
  t.true(project.outputs.length > 0);
  for (const out of project.outputs) t.false(out.includes(sentinel), out.slice(0, 500));
});
