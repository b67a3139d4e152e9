/**
 * gunicorn against a real disposable Debian 12 host (@runbook/testhosts set `itgunicorn`: sshd, systemd
 * as PID 1), over SshConnection as the non-root `deploy` user. Two copies of apps/demo-django are placed
 * as releases r1 and r2 (Django from Debian, a --system-site-packages venv each, a shared sqlite db); an
 * inline plugin contributes the app to the site model (what @runbook/app does for real). Then the real
 * configure playbook runs twice (0 changed the second time), the app is fetched through the unix
 * socket, and deploys switch `current` while a request loop runs on the host: a restart (r1 → r2), a HUP
 * reload (r2 → r1), then `auto`: a HUP for r3 (r2's venv, the master's) and a restart for r1 (its own
 * venv), each serving the new release with zero failed requests.
 * Fails (never skips) when the host cannot boot.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  configurePhases, definePlugin, deployPhases, runPlaybook, runTask, secret, SshConnection,
  type AppModel, type HostRunContext, type Plugin, type RunEvent, type RunHost, type SshTarget, type Task,
} from '@runbook/core';
import { apt, command, directory, file, symlink, user } from '@runbook/system';
import { checkoutSet, type HostSet, type TestHost, up } from '@runbook/testhosts';
import { gunicorn } from '../src/index.js';

const run$ = promisify(execFile);
const SET = checkoutSet('itgunicorn');
const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../apps/demo-django');
const SECRET_KEY = `sk-${randomBytes(24).toString('hex')}`;

const app: AppModel = {
  name: 'demo', user: 'demo', group: 'demo', root: '/srv/demo',
  current: '/srv/demo/current', releases: '/srv/demo/releases', shared: '/srv/demo/shared',
  envFile: '/srv/demo/shared/.env', venv: '/srv/demo/current/.venv',
  wsgi: 'demo.wsgi:application', asgi: 'demo.asgi:application', staticRoot: '/srv/demo/shared/static',
};

/** What @runbook/app contributes, and its switch stage: `current` → the release being deployed. */
const demoApp = definePlugin({
  name: 'demo-app',
  contribute(site) {
    site.app = { ...app };
  },
  deploy: (ctx) => ({ switch: [symlink({ path: app.current, target: ctx.release!.path, owner: 'demo', group: 'demo' })] }),
});

let hosts: HostSet;
let host: TestHost;
let target: SshTarget;
let conn: SshConnection;
let scratch: string;
const events: RunEvent[] = [];

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rb-gunicorn-it-'));
  hosts = await up({ set: SET, count: 1 });
  host = hosts.hosts[0];
  target = {
    alias: host.name, hostname: host.address, port: 22, user: 'deploy',
    identityFiles: [hosts.keyFile], identitiesOnly: true, knownHostsFiles: [hosts.knownHostsFile], strictHostKeyChecking: 'yes',
  };
  conn = await connect();
});

test.after.always(async () => {
  await conn?.close();
  await hosts?.down();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const connect = () => SshConnection.connect(target, { projectKnownHosts: join(scratch, 'known_hosts') });

/** A command on the host through the system ssh client, as root; its trimmed stdout. */
async function ssh(cmd: string, timeout = 60_000): Promise<string> {
  const { stdout } = await run$('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', host.name, `sudo -n sh -c ${shq(cmd)}`], { timeout, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

async function task(t: ExecutionContext, tk: Task): Promise<void> {
  const ctx: HostRunContext = { alias: host.name, user: 'deploy', vars: {}, check: false };
  const r = await runTask(conn, tk, ctx);
  t.not(r.status, 'failed', `${tk.title}: ${r.error?.message}`);
}

/** Runs a plugin playbook on the host; returns its recap (throws on a failed task with its error). */
async function playbook(name: 'configure' | 'deploy', plugins: Plugin[], releaseId?: string) {
  const runHost: RunHost = { alias: host.name, hostname: host.name, user: 'deploy', groups: [], vars: {}, env: 'test' };
  const mine: RunEvent[] = [];
  const result = await runPlaybook({
    playbook: { name, phases: name === 'configure' ? configurePhases : (ctx) => deployPhases(ctx, releaseId) },
    context: {
      env: 'test',
      config: { root: scratch, inventoryDir: scratch, playbookDir: scratch, knownHosts: join(scratch, 'known_hosts'), secretsDir: scratch, vars: {}, plugins },
      secrets: {},
    },
    hosts: [runHost],
    connect: () => connect(),
    emit: (e) => {
      mine.push(e);
      events.push(e);
    },
  });
  const failed = mine.filter((e) => e.type === 'task' && e.status === 'failed');
  if (failed.length || result.exitCode !== 0) throw new Error(`${name} failed (exit ${result.exitCode}): ${JSON.stringify(failed)}`);
  return { recap: result.recap[host.name], changed: mine.filter((e) => e.type === 'task' && e.status === 'changed').map((e) => (e as { title: string }).title) };
}

const home = () => ssh('curl -sS --fail --unix-socket /run/gunicorn.sock http://localhost/');
const releaseOf = (html: string) => /id="release">([^<]*)</.exec(html)?.[1];
const masterPid = () => ssh('systemctl show -p MainPID --value gunicorn.service');

test.serial('the demo app as two releases on the host', async (t) => {
  const { stdout: tarB64 } = await run$('sh', ['-c', `tar -C ${shq(APP_DIR)} --exclude=__pycache__ --exclude=db.sqlite3 -czf - . | base64 -w0`], { maxBuffer: 64 * 1024 * 1024 });
  const env = { SECRET_KEY: secret(SECRET_KEY, 'SECRET_KEY'), DATABASE_PATH: '/srv/demo/shared/db.sqlite3', STATIC_ROOT: app.staticRoot };
  const tasks: Task[] = [
    apt({ packages: ['python3-django', 'python3-venv', 'curl'] }),
    user({ name: 'demo', group: 'demo', system: true, home: '/srv/demo', shell: '/usr/sbin/nologin' }),
    directory({ path: '/srv/demo', owner: 'demo', group: 'demo', mode: '0755' }),
    directory({ path: app.releases, owner: 'demo', group: 'demo', mode: '0755' }),
    directory({ path: app.shared, owner: 'demo', group: 'demo', mode: '0750' }),
    file({ path: app.envFile, owner: 'demo', group: 'demo', mode: '0600', content: secret(Object.entries(env).map(([k, v]) => `${k}=${typeof v === 'string' ? v : v.reveal()}`).join('\n') + '\nALLOWED_HOSTS=*\n') }),
    file({ path: '/srv/demo/demo-django.tar.gz', content: Buffer.from(tarB64, 'base64'), owner: 'demo', group: 'demo', mode: '0644' }),
  ];
  for (const r of ['r1', 'r2']) {
    const dir = `${app.releases}/${r}`;
    tasks.push(
      directory({ path: dir, owner: 'demo', group: 'demo', mode: '0755' }),
      command({ run: ['tar', '-C', dir, '-xzf', '/srv/demo/demo-django.tar.gz'], creates: `${dir}/manage.py`, becomeUser: 'demo' }),
      command({ run: ['python3', '-m', 'venv', '--system-site-packages', `${dir}/.venv`], creates: `${dir}/.venv/bin/python`, becomeUser: 'demo' }),
      command({ run: ['.venv/bin/python', 'manage.py', 'migrate', '--noinput'], cwd: dir, env, unless: '.venv/bin/python manage.py migrate --check', becomeUser: 'demo' }),
    );
  }
  tasks.push(symlink({ path: app.current, target: `${app.releases}/r1`, owner: 'demo', group: 'demo' }));
  for (const tk of tasks) await task(t, tk);
  t.is(await ssh('readlink /srv/demo/current'), '/srv/demo/releases/r1');
  t.is(await ssh('sudo -u demo /srv/demo/releases/r2/.venv/bin/python -c "import django; print(django.get_version())"'), '3.2.25');
});

test.serial('configure twice: the second run changes nothing; the app answers on the socket', async (t) => {
  const plugins = [demoApp, gunicorn()];
  const first = await playbook('configure', plugins);
  t.true(first.changed.length >= 4, first.changed.join(', '));
  const second = await playbook('configure', plugins);
  t.is(second.recap.changed, 0, `second configure changed: ${second.changed.join(', ')}`);

  t.is(await ssh('systemctl is-enabled gunicorn.socket'), 'enabled');
  t.is(await ssh('systemctl is-active gunicorn.socket'), 'active');
  t.is(await ssh('stat -c "%U %a" /run/gunicorn.sock'), 'www-data 600');
  // socket activation: the first request starts the service
  const html = await home();
  t.true(html.includes('Hello from demo-django'), html);
  t.is(releaseOf(html), 'r1');
  t.regex(html, /href="\/static\/css\/site\.css"/);
  t.is(await ssh('curl -sS --fail --unix-socket /run/gunicorn.sock http://localhost/health/'), 'ok');
  t.is(await ssh('systemctl is-active gunicorn.service'), 'active');
  t.is(await ssh('systemctl show -p User --value gunicorn.service'), 'demo');
  // workers default to 2 × cores + 1, computed on the host
  const cores = Number(await ssh('nproc'));
  const pid = await masterPid();
  t.is(Number(await ssh(`pgrep -c -P ${pid}`)), cores * 2 + 1);
  // www-data may connect (nginx), the app's other users may not
  t.is(await ssh('sudo -u www-data curl -s -o /dev/null -w "%{http_code}" --unix-socket /run/gunicorn.sock http://localhost/health/'), '200');
  t.not(await ssh('sudo -u demo curl -s -o /dev/null -w "%{http_code}" --unix-socket /run/gunicorn.sock http://localhost/health/ || true'), '200');

  // a config change restarts the running service through the handler (and again nothing the next time)
  const changedConf = await playbook('configure', [demoApp, gunicorn({ workers: 2 })]);
  t.deepEqual(changedConf.changed, ['/etc/gunicorn/gunicorn.conf.py', 'restart gunicorn']);
  t.not(await masterPid(), pid);
  t.is(Number(await ssh(`pgrep -c -P ${await masterPid()}`)), 2);
  t.is((await playbook('configure', [demoApp, gunicorn({ workers: 2 })])).recap.changed, 0);
});

/**
 * Starts a request loop on the host (through the socket), runs `action` (a deploy), lets the loop run
 * a little longer, and returns what the loop saw: failures, and the release of each answer in order.
 */
async function underLoad<T>(action: () => Promise<T>) {
  const loop = [
    'out=/tmp/rb-loop; rm -rf $out; mkdir -p $out; i=0',
    'while [ ! -e $out/stop ]; do',
    '  i=$((i+1))',
    '  code=$(curl -s -m 30 -o $out/body -w "%{http_code}" --unix-socket /run/gunicorn.sock http://localhost/) || code="$code curl-exit-$?"',
    '  if [ "$code" = 200 ]; then sed -n "s/.*id=\\"release\\">\\([^<]*\\)<.*/\\1/p" $out/body >> $out/releases; else echo "$i $code" >> $out/failures; fi',
    '  echo $i > $out/count',
    'done',
    'touch $out/done',
  ].join('\n');
  await ssh(`printf '%s\\n' ${shq(loop)} > /tmp/rb-loop.sh; setsid sh /tmp/rb-loop.sh </dev/null >/dev/null 2>&1 &`);
  const count = async () => Number((await ssh('cat /tmp/rb-loop/count 2>/dev/null || echo 0')) || 0);
  const waitFor = async (what: () => Promise<boolean>, label: string) => {
    for (let i = 0; i < 300; i++) {
      if (await what()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${label}`);
  };
  await waitFor(async () => (await count()) >= 20, 'the loop to get going');
  const before = await count();
  const deployed = await action();
  const after = await count();
  await waitFor(async () => (await count()) >= after + 20, 'requests after the deploy');
  await ssh('touch /tmp/rb-loop/stop');
  await waitFor(async () => (await ssh('test -e /tmp/rb-loop/done && echo y || echo n')) === 'y', 'the loop to stop');
  return {
    deployed,
    requests: await count(),
    duringDeploy: after - before,
    failures: await ssh('cat /tmp/rb-loop/failures 2>/dev/null || true'),
    releases: (await ssh('cat /tmp/rb-loop/releases')).split('\n'),
  };
}

test.serial('deploy with restart: r2 is served after the switch, no request fails', async (t) => {
  const pid = await masterPid();
  const r = await underLoad(() => playbook('deploy', [demoApp, gunicorn({ workers: 2 })], 'r2'));
  t.log(`${r.requests} requests, ${r.duringDeploy} while the deploy ran`);
  t.deepEqual(r.deployed.changed, ['/srv/demo/current → /srv/demo/releases/r2', 'gunicorn.service']);
  t.is(r.failures, '', 'failed requests during the restart');
  t.is(r.releases.length, r.requests);
  t.is(r.releases[0], 'r1');
  t.is(r.releases.at(-1), 'r2');
  // once r2 answered, only r2 answers
  t.deepEqual([...new Set(r.releases.slice(r.releases.indexOf('r2')))], ['r2']);
  t.not(await masterPid(), pid, 'a restart starts a new master');
  t.is(releaseOf(await home()), 'r2');
});

test.serial('deploy with HUP: the same master serves r1 again, no request fails', async (t) => {
  const pid = await masterPid();
  const r = await underLoad(() => playbook('deploy', [demoApp, gunicorn({ workers: 2, reload: 'hup' })], 'r1'));
  t.log(`${r.requests} requests, ${r.duringDeploy} while the deploy ran`);
  t.deepEqual(r.deployed.changed, ['/srv/demo/current → /srv/demo/releases/r1', 'gunicorn.service']);
  t.is(r.failures, '', 'failed requests during the reload');
  t.is(r.releases[0], 'r2');
  t.is(r.releases.at(-1), 'r1');
  t.deepEqual([...new Set(r.releases.slice(r.releases.indexOf('r1')))], ['r1']);
  t.is(await masterPid(), pid, 'HUP keeps the master');
  t.is(releaseOf(await home()), 'r1');
});

/** The change line of the last reload the deploys reported. */
const lastReload = () => (events.filter((e) => e.type === 'task' && e.task === 'gunicorn.reload').at(-1) as { changes?: string[] } | undefined)?.changes?.[0] ?? '';
const workersOf = async (pid: string) => (await ssh(`ps -o pid= --ppid ${pid}`)).split(/\s+/).filter(Boolean);

test.serial('deploy with auto: a release sharing the master\'s venv gets a HUP (same master, only new workers); another venv a restart', async (t) => {
  // r3: r2's code, and r2's venv (what unchanged requirements give: one venv shared by releases)
  await ssh(`set -e; cd ${app.releases}; rm -rf r3; cp -a r2 r3; rm -rf r3/.venv; ln -s ${app.releases}/r2/.venv r3/.venv; chown -h demo:demo r3/.venv`);
  // the master now is the one the restart to r2 started (the HUP to r1 kept it): it runs r2's venv
  const pid = await masterPid();
  const before = await workersOf(pid);
  const r = await underLoad(() => playbook('deploy', [demoApp, gunicorn({ workers: 2 })], 'r3'));
  t.regex(lastReload(), /^reload gunicorn\.service \(HUP: its master runs this venv\)/);
  t.is(r.failures, '', 'failed requests during the reload');
  t.is(await masterPid(), pid, 'HUP keeps the master');
  const after = await workersOf(pid);
  t.is(after.length, 2);
  t.deepEqual(after.filter((w) => before.includes(w)), [], 'every worker is new');
  t.is(releaseOf(await home()), 'r3');

  // r1 has a venv of its own: a restart, and the record follows the new master
  const back = await underLoad(() => playbook('deploy', [demoApp, gunicorn({ workers: 2 })], 'r1'));
  t.regex(lastReload(), /^restart gunicorn\.service \(its master runs another venv \(\/srv\/demo\/releases\/r2\/\.venv\)\)/);
  t.is(back.failures, '', 'failed requests during the restart');
  const restarted = await masterPid();
  t.not(restarted, pid, 'a restart starts a new master');
  t.is(await ssh('cat /run/runbook/gunicorn.service.reload'), `${restarted} ${app.releases}/r1/.venv`);
  t.is(releaseOf(await home()), 'r1');
});

test.serial('control: the loop does see failures when the socket goes away', async (t) => {
  // without systemd holding the socket, a restart refuses connections: what the deploys above avoid
  const r = await underLoad(() => ssh('systemctl stop gunicorn.socket gunicorn.service; sleep 1; systemctl start gunicorn.socket'));
  t.regex(r.failures, /\d+ 000/);
  t.is(releaseOf(await home()), 'r1');
});

test.serial('asgi: uvicorn workers serve the ASGI callable', async (t) => {
  const plugins = [demoApp, gunicorn({ workers: 2, asgi: true })];
  const first = await playbook('configure', plugins);
  t.true(first.changed.includes('restart gunicorn'), first.changed.join(', '));
  t.is((await playbook('configure', plugins)).recap.changed, 0);
  const html = await home();
  t.true(html.includes('Hello from demo-django'), html);
  t.regex(await ssh('ps -o args= -p $(pgrep -P $(systemctl show -p MainPID --value gunicorn.service) | head -1)'), /gunicorn/);
  t.regex(await ssh('journalctl -u gunicorn.service -o cat --no-pager | tail -20'), /uvicorn/i);
});

test.serial('secrets never appear in the events', (t) => {
  t.true(events.length > 0);
  t.false(JSON.stringify(events).includes(SECRET_KEY));
});
