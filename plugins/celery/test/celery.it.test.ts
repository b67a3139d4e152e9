/**
 * celery against a real disposable Debian 12 host (@runbook/testing set `itcelery`). Stand-ins: a broker
 * plugin (Debian's redis-server, contributing `site.broker` as @runbook/dragonfly does) and an app plugin
 * (the app model, a `.env` rendered from site.env like @runbook/app's, a tiny celery app as releases r1
 * and r2 with --system-site-packages venvs, the switch on deploy). Then: configure twice (0 changed the
 * second time), a task round trip from the host through the broker and result backend, a deploy r1 → r2
 * while a 3-second task runs (it finishes; the worker then answers from r2), beat running a periodic
 * task. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  definePlugin, deployPhases, renderDotenv, reveal, runPlaybook, secret, SshConnection, type AppModel, type Plugin, type RunEvent, type Task,
} from '@runbook/core';
import { apt, command, directory, file, group, symlink, systemdUnit, user } from '@runbook/system';
import { boot, checkoutSet, explain, type Harness } from '@runbook/testing';
import { celery, type CeleryPluginOptions } from '../src/index.js';

const SENTINEL = `sentinel-${randomBytes(12).toString('hex')}`;
let h: Harness;
let scratch: string;
const events: RunEvent[] = [];

const app: AppModel = {
  name: 'demo', user: 'demo', group: 'demo', root: '/srv/demo',
  current: '/srv/demo/current', releases: '/srv/demo/releases', shared: '/srv/demo/shared',
  envFile: '/srv/demo/shared/.env', venv: '/srv/demo/current/.venv', staticRoot: '/srv/demo/shared/static',
};

/** The celery app of one release: the broker from CELERY_BROKER_URL (celery reads it), results in redis db 1. */
const tasksPy = (release: string) => `import os, time
from celery import Celery

app = Celery('tasksapp')
app.conf.result_backend = os.environ.get('CELERY_RESULT_BACKEND')
app.conf.broker_connection_retry_on_startup = True
app.conf.beat_schedule = {'tick': {'task': 'tasksapp.tick', 'schedule': 1.0}}

@app.task(name='tasksapp.add')
def add(x, y):
    return x + y

@app.task(name='tasksapp.whoami')
def whoami():
    return {'release': '${release}', 'cwd': os.getcwd(), 'secret': len(os.environ.get('SECRET_KEY', ''))}

@app.task(name='tasksapp.slow')
def slow(name, seconds):
    open('/srv/demo/shared/' + name + '.started', 'w').close()
    time.sleep(seconds)
    with open('/srv/demo/shared/' + name + '.done', 'w') as f:
        f.write('${release}')
    return name

@app.task(name='tasksapp.tick')
def tick():
    with open('/srv/demo/shared/ticks', 'a') as f:
        f.write('tick\\n')
`;

/** Stands in for @runbook/dragonfly: Debian's redis-server as the broker, in the site model. */
const broker = definePlugin({
  name: 'broker',
  contribute(site) {
    site.broker = { url: 'redis://127.0.0.1:6379/0', unit: 'redis-server.service' };
  },
  configure: (): Task[] => [apt({ packages: ['redis-server'] }), systemdUnit({ name: 'redis-server.service', enabled: true, state: 'started' })],
});

/** Stands in for @runbook/app: the app model, the .env from site.env, two releases, the switch on deploy. */
const standIn = definePlugin({
  name: 'demo-app',
  contribute(site) {
    site.app = { ...app };
  },
  configure: ({ site }): Task[] => [
    apt({ packages: ['python3-venv'] }),
    group({ name: 'demo', system: true }),
    user({ name: 'demo', group: 'demo', system: true, home: '/srv/demo', createHome: false, shell: '/usr/sbin/nologin' }),
    directory({ path: '/srv/demo', owner: 'root', group: 'root', mode: '0755' }),
    directory({ path: app.releases, owner: 'root', group: 'root', mode: '0755' }),
    directory({ path: app.shared, owner: 'demo', group: 'demo', mode: '0755' }),
    file({
      path: app.envFile, owner: 'demo', group: 'demo', mode: '0600',
      content: secret(renderDotenv({ ...Object.fromEntries(Object.entries(site.env).map(([k, v]) => [k, reveal(v)])), CELERY_RESULT_BACKEND: 'redis://127.0.0.1:6379/1', SECRET_KEY: SENTINEL }), '.env'),
    }),
    ...['r1', 'r2'].flatMap((r) => [
      directory({ path: `${app.releases}/${r}`, owner: 'demo', group: 'demo', mode: '0755' }),
      file({ path: `${app.releases}/${r}/tasksapp.py`, content: tasksPy(r), owner: 'demo', group: 'demo', mode: '0644' }),
      command({ run: ['python3', '-m', 'venv', '--system-site-packages', `${app.releases}/${r}/.venv`], creates: `${app.releases}/${r}/.venv/bin/python`, becomeUser: 'demo' }),
    ]),
    command({ run: ['ln', '-s', `${app.releases}/r1`, app.current], creates: app.current }),
  ],
  deploy: (ctx) => ({ switch: [symlink({ path: app.current, target: ctx.release!.path, owner: 'demo', group: 'demo' })] }),
});

const options: CeleryPluginOptions = { app: 'tasksapp', concurrency: 2, beat: true, stopTimeout: 60 };
const plugins = (o: CeleryPluginOptions = options): Plugin[] => [broker, standIn, celery(o)];

async function configure(ps: Plugin[]) {
  const o = await h.configure(ps);
  events.push(...o.events);
  if (o.result.exitCode !== 0) throw new Error(`configure failed: ${explain(o)}`);
  return o;
}

/** The deploy playbook with a given release id (the harness runs only configure). */
async function deploy(ps: Plugin[], releaseId: string) {
  const target = {
    alias: h.host.name, hostname: h.host.address, port: 22, user: 'deploy',
    identityFiles: [h.hosts.keyFile], identitiesOnly: true, knownHostsFiles: [h.hosts.knownHostsFile], strictHostKeyChecking: 'yes' as const,
  };
  const knownHosts = join(scratch, 'known_hosts');
  const mine: RunEvent[] = [];
  const result = await runPlaybook({
    playbook: { name: 'deploy', phases: (ctx) => deployPhases(ctx, releaseId) },
    context: {
      env: 'test',
      config: { root: scratch, inventoryDir: scratch, playbookDir: scratch, knownHosts, secretsDir: scratch, vars: {}, plugins: ps },
      secrets: {},
    },
    hosts: [{ alias: h.host.name, hostname: h.host.name, user: 'deploy', groups: [], vars: {}, env: 'test' }],
    connect: () => SshConnection.connect(target, { projectKnownHosts: knownHosts }),
    emit: (e) => {
      mine.push(e);
      events.push(e);
    },
  });
  const tasks = mine.filter((e): e is Extract<RunEvent, { type: 'task' }> => e.type === 'task');
  if (result.exitCode !== 0) throw new Error(`deploy failed (exit ${result.exitCode}): ${JSON.stringify(tasks.filter((e) => e.status === 'failed'))}`);
  return tasks.filter((e) => e.status === 'changed').map((e) => e.title);
}

/** Python on the host as the app user, in `current`, with the app's .env: what the web app does to send tasks. */
const py = (code: string) =>
  h.ssh(`cd /srv/demo/current && sudo -u demo sh -c 'set -a; . /srv/demo/shared/.env; set +a; exec .venv/bin/python -c "$0"' '${code.replace(/'/g, `'\\''`)}'`);

const waitFor = async (what: () => Promise<boolean>, label: string, tries = 150) => {
  for (let i = 0; i < tries; i++) {
    if (await what().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${label}`);
};

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rb-celery-it-'));
  h = await boot(checkoutSet('itcelery'));
});
test.after.always(async () => {
  await h?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test.serial('configure twice: 0 changed the second time; worker and beat active', async (t) => {
  const first = await configure(plugins());
  t.true(first.changed >= 10, explain(first));
  const second = await configure(plugins());
  t.is(second.changed, 0, explain(second));
  t.is(await h.ssh('systemctl is-active redis-server.service celery-demo.service celery-beat-demo.service'), 'active\nactive\nactive');
  t.is(await h.ssh('systemctl is-enabled celery-demo.service celery-beat-demo.service'), 'enabled\nenabled');
  t.is(await h.ssh('systemctl show -p User --value celery-demo.service'), 'demo');
  // the broker URL of the site model reached the app's .env
  t.is(await h.ssh('grep ^CELERY_BROKER_URL= /srv/demo/shared/.env'), 'CELERY_BROKER_URL=redis://127.0.0.1:6379/0');
});

test.serial('a task round trip from the host: broker → worker → result backend', async (t) => {
  await waitFor(async () => /demo@/.test(await py('import tasksapp; print(tasksapp.app.control.ping(timeout=1))')), 'the worker to answer a ping');
  t.is(await py('import tasksapp; print(tasksapp.add.delay(2, 3).get(timeout=30))'), '5');
  const who = JSON.parse(await py('import tasksapp, json; print(json.dumps(tasksapp.whoami.delay().get(timeout=30)))'));
  t.deepEqual(who, { release: 'r1', cwd: '/srv/demo/releases/r1', secret: SENTINEL.length });
  // concurrency 2: the main process and two pool processes
  const pid = await h.ssh('systemctl show -p MainPID --value celery-demo.service');
  t.is(Number(await h.ssh(`pgrep -c -P ${pid}`)), 2);
});

test.serial('deploy r1 → r2 while a 3-second task runs: the task finishes, then the worker runs r2', async (t) => {
  const oldPid = await h.ssh('systemctl show -p MainPID --value celery-demo.service');
  await py(`import tasksapp; tasksapp.slow.delay('deploy', 3)`);
  await waitFor(async () => (await h.ssh('test -e /srv/demo/shared/deploy.started && echo y || echo n')) === 'y', 'the slow task to start');
  const started = Date.now();
  const changed = await deploy(plugins(), 'r2');
  t.log(`deploy with the restart took ${Date.now() - started} ms`);
  t.deepEqual(changed, ['/srv/demo/current → /srv/demo/releases/r2', 'celery-demo.service', 'celery-beat-demo.service']);
  // warm shutdown: the restart waited for the running task, which completed in r1's code
  t.is(await h.ssh('cat /srv/demo/shared/deploy.done'), 'r1');
  t.not(await h.ssh('systemctl show -p MainPID --value celery-demo.service'), oldPid);
  const journal = await h.ssh('journalctl -u celery-demo.service -o cat --no-pager');
  t.regex(journal, /Warm shutdown/);
  t.regex(journal, /Task tasksapp\.slow\[[^\]]+\] succeeded/);
  t.notRegex(journal, /WorkerLostError|SIGKILL/);
  t.is(await h.ssh('systemctl show -p Result --value celery-demo.service'), 'success');
  await waitFor(async () => /demo@/.test(await py('import tasksapp; print(tasksapp.app.control.ping(timeout=1))')), 'the new worker');
  const who = JSON.parse(await py('import tasksapp, json; print(json.dumps(tasksapp.whoami.delay().get(timeout=30)))'));
  t.deepEqual(who, { release: 'r2', cwd: '/srv/demo/releases/r2', secret: SENTINEL.length });
});

test.serial('beat runs the periodic task; its schedule lives in shared/', async (t) => {
  const count = async () => Number(await h.ssh('wc -l < /srv/demo/shared/ticks 2>/dev/null || echo 0'));
  const before = await count();
  await waitFor(async () => (await count()) >= before + 3, 'three more ticks');
  t.true((await count()) >= before + 3);
  t.regex(await h.ssh('ls /srv/demo/shared/celerybeat'), /^schedule/);
  t.is(await h.ssh('stat -c %U /srv/demo/shared/celerybeat'), 'demo');
});

test.serial('a changed option restarts the worker through its unit; then 0 changed', async (t) => {
  const changed = await configure(plugins({ ...options, concurrency: 3, queues: ['celery', 'hooks'] }));
  t.deepEqual(changed.tasks.filter((e) => e.status === 'changed').map((e) => e.title), ['celery-demo.service', 'restart celery-demo.service']);
  t.is((await configure(plugins({ ...options, concurrency: 3, queues: ['celery', 'hooks'] }))).changed, 0);
  await waitFor(async () => Number(await h.ssh('pgrep -c -P $(systemctl show -p MainPID --value celery-demo.service) || echo 0')) === 3, 'three pool processes');
  t.is(await py('import tasksapp; print(tasksapp.add.apply_async((20, 22), queue="hooks").get(timeout=30))'), '42');
});

test.serial('secrets never appear in the events', (t) => {
  t.true(events.length > 0);
  t.false(JSON.stringify(events).includes(SENTINEL));
});
