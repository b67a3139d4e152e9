/**
 * uwsgi + nginx against a real disposable Debian 12 host (@runbook/testing set `ituwsgi`). A stand-in
 * app plugin contributes the app to the site model and places a tiny WSGI app as releases r1 and r2 (a
 * --system-site-packages venv each, a `.env` with a quoted value and a secret); its deploy switches
 * `current` (what @runbook/app does for real). Then: configure twice (0 changed the second time), the
 * page through nginx, a deploy r1 → r2 while a request loop runs through nginx and a slow request is in
 * flight (0 failed, the slow one finishes, r2 served after), a config change reloads through the
 * handler, a stop is clean. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  definePlugin, deployPhases, runPlaybook, secret, SshConnection, type AppModel, type Plugin, type RunEvent, type Task,
} from '@runbook/core';
import { apt, command, directory, file, group, symlink, user } from '@runbook/system';
import { nginx } from '@runbook/nginx';
import { boot, checkoutSet, explain, type Harness, settle } from '@runbook/testing';
import { uwsgi, type UwsgiOptions } from '../src/index.js';

const SENTINEL = `sentinel-${randomBytes(12).toString('hex')}`;
let h: Harness;
let scratch: string;
const events: RunEvent[] = [];

const app: AppModel = {
  name: 'demo', user: 'demo', group: 'demo', root: '/srv/demo',
  current: '/srv/demo/current', releases: '/srv/demo/releases', shared: '/srv/demo/shared',
  envFile: '/srv/demo/shared/.env', venv: '/srv/demo/current/.venv',
  wsgi: 'hello:application', staticRoot: '/srv/demo/shared/static',
};

/** The tiny WSGI app of one release: its name, the cwd, an env value; `/slow` takes 3 s. */
const helloPy = (release: string) => `import os, time

def application(environ, start_response):
    if environ.get('PATH_INFO') == '/slow':
        time.sleep(3)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    body = 'release=${release} cwd=%s greeting=%s secret=%s\\n' % (os.getcwd(), os.environ.get('GREETING'), len(os.environ.get('SECRET_KEY', '')))
    return [body.encode()]
`;

/** Stands in for @runbook/app: the app model, two releases placed by configure, the switch on deploy. */
const standIn = definePlugin({
  name: 'demo-app',
  contribute(site) {
    site.app = { ...app };
  },
  configure: (): Task[] => [
    apt({ packages: ['python3-venv', 'curl'] }),
    group({ name: 'demo', system: true }),
    user({ name: 'demo', group: 'demo', system: true, home: '/srv/demo', createHome: false, shell: '/usr/sbin/nologin' }),
    directory({ path: '/srv/demo', owner: 'root', group: 'root', mode: '0755' }),
    directory({ path: app.releases, owner: 'root', group: 'root', mode: '0755' }),
    directory({ path: app.shared, owner: 'demo', group: 'demo', mode: '0755' }),
    file({ path: app.envFile, owner: 'demo', group: 'demo', mode: '0600', content: secret(`GREETING="hello world"\nSECRET_KEY=${SENTINEL}\n`, '.env') }),
    ...['r1', 'r2'].flatMap((r) => [
      directory({ path: `${app.releases}/${r}`, owner: 'demo', group: 'demo', mode: '0755' }),
      file({ path: `${app.releases}/${r}/hello.py`, content: helloPy(r), owner: 'demo', group: 'demo', mode: '0644' }),
      command({ run: ['python3', '-m', 'venv', '--system-site-packages', `${app.releases}/${r}/.venv`], creates: `${app.releases}/${r}/.venv/bin/python`, becomeUser: 'demo' }),
    ]),
    command({ run: ['ln', '-s', `${app.releases}/r1`, app.current], creates: app.current }),
  ],
  deploy: (ctx) => ({ switch: [symlink({ path: app.current, target: ctx.release!.path, owner: 'demo', group: 'demo' })] }),
});

const plugins = (o: UwsgiOptions = { processes: 2 }): Plugin[] => [standIn, uwsgi(o), nginx()];

/** The deploy playbook with a given release id (the harness runs only configure). */
async function deploy(ps: Plugin[], releaseId: string) {
  const target = {
    alias: h.host.name, hostname: h.host.address, port: 22, user: 'deploy',
    identityFiles: [h.hosts.keyFile], identitiesOnly: true, knownHostsFiles: [h.hosts.knownHostsFile], strictHostKeyChecking: 'yes' as const,
  };
  const mine: RunEvent[] = [];
  const result = await runPlaybook({
    playbook: { name: 'deploy', phases: (ctx) => deployPhases(ctx, releaseId) },
    context: {
      env: 'test',
      config: { root: scratch, inventoryDir: scratch, playbookDir: scratch, knownHosts: join(scratch, 'known_hosts'), secretsDir: scratch, vars: {}, plugins: ps },
      secrets: {},
    },
    hosts: [{ alias: h.host.name, hostname: h.host.name, user: 'deploy', groups: [], vars: {}, env: 'test' }],
    connect: () => SshConnection.connect(target, { projectKnownHosts: join(scratch, 'known_hosts') }),
    emit: (e) => {
      mine.push(e);
      events.push(e);
    },
  });
  const tasks = mine.filter((e): e is Extract<RunEvent, { type: 'task' }> => e.type === 'task');
  if (result.exitCode !== 0) throw new Error(`deploy failed (exit ${result.exitCode}): ${JSON.stringify(tasks.filter((e) => e.status === 'failed'))}`);
  return tasks.filter((e) => e.status === 'changed').map((e) => e.title);
}

async function configure(ps: Plugin[]) {
  const o = await h.configure(ps);
  events.push(...o.events);
  if (o.result.exitCode !== 0) throw new Error(`configure failed: ${explain(o)}`);
  return o;
}

const page = async (path = '/') => {
  const r = await fetch(h.url(path), { signal: AbortSignal.timeout(15_000) });
  return { status: r.status, text: await r.text() };
};
const masterPid = () => h.ssh('systemctl show -p MainPID --value uwsgi-demo.service');

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rb-uwsgi-it-'));
  h = await boot(checkoutSet('ituwsgi'));
});
test.after.always(async () => {
  await h?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test.serial('configure twice: 0 changed the second time; the app answers through nginx', async (t) => {
  const first = await configure(plugins());
  t.true(first.changed >= 10, explain(first));
  const second = await configure(plugins());
  t.is(second.changed, 0, explain(second));

  await settle(async () => (await page()).status === 200);
  const home = await page();
  t.is(home.status, 200, home.text);
  // the release, the working directory resolved through `current`, the .env read by systemd (quotes
  // removed), the secret present (only its length is shown)
  t.is(home.text, `release=r1 cwd=/srv/demo/releases/r1 greeting=hello world secret=${SENTINEL.length}\n`);
  t.is(await h.ssh('systemctl is-active uwsgi-demo.service nginx.service'), 'active\nactive');
  t.is(await h.ssh('systemctl is-enabled uwsgi-demo.service'), 'enabled');
  t.is(await h.ssh('stat -c "%U %a" /run/uwsgi-demo/uwsgi.sock'), 'www-data 600');
  const pid = await masterPid();
  t.is(await h.ssh(`ps -o user= -p ${pid}`), 'demo');
  t.is(Number(await h.ssh(`pgrep -c -P ${pid}`)), 2);
  t.regex(await h.ssh('journalctl -u uwsgi-demo.service -o cat --no-pager'), /PEP 405 virtualenv detected: \/srv\/demo\/current\/\.venv/);
  t.true((await h.ssh('grep -c "uwsgi_pass unix:/run/uwsgi-demo/uwsgi.sock;" /etc/nginx/sites-available/demo')) === '1');
});

/**
 * A request loop through nginx on the host, plus one slow request started just before `action` (the
 * deploy); returns the loop's failures, the release of each answer in order, and the slow answer.
 */
async function underLoad<T>(action: () => Promise<T>) {
  const loop = [
    'out=/tmp/rb-loop; rm -rf $out; mkdir -p $out; i=0',
    'while [ ! -e $out/stop ]; do',
    '  i=$((i+1))',
    '  code=$(curl -s -m 30 -o $out/body -w "%{http_code}" http://localhost/) || code="$code curl-exit-$?"',
    '  if [ "$code" = 200 ]; then sed -n "s/^release=\\([^ ]*\\) .*/\\1/p" $out/body >> $out/releases; else echo "$i $code" >> $out/failures; fi',
    '  echo $i > $out/count',
    'done',
    'touch $out/done',
  ].join('\n');
  await h.ssh(`printf '%s\\n' '${loop.replace(/'/g, `'\\''`)}' > /tmp/rb-loop.sh; setsid sh /tmp/rb-loop.sh </dev/null >/dev/null 2>&1 &`);
  const count = async () => Number((await h.ssh('cat /tmp/rb-loop/count 2>/dev/null || echo 0')) || 0);
  const waitFor = async (what: () => Promise<boolean>, label: string) => {
    for (let i = 0; i < 300; i++) {
      if (await what()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${label}`);
  };
  await waitFor(async () => (await count()) >= 20, 'the loop to get going');
  const slow = page('/slow');
  await new Promise((r) => setTimeout(r, 300));
  const before = await count();
  const done = await action();
  const after = await count();
  await waitFor(async () => (await count()) >= after + 20, 'requests after the deploy');
  await h.ssh('touch /tmp/rb-loop/stop');
  await waitFor(async () => (await h.ssh('test -e /tmp/rb-loop/done && echo y || echo n')) === 'y', 'the loop to stop');
  return {
    done,
    slow: await slow,
    requests: await count(),
    duringAction: after - before,
    failures: await h.ssh('cat /tmp/rb-loop/failures 2>/dev/null || true'),
    releases: (await h.ssh('cat /tmp/rb-loop/releases')).split('\n'),
  };
}

test.serial('deploy r1 → r2: graceful reload, 0 failed requests, the slow request finishes, r2 served after', async (t) => {
  const pid = await masterPid();
  const r = await underLoad(() => deploy(plugins(), 'r2'));
  t.log(`${r.requests} requests through nginx, ${r.duringAction} while the deploy ran`);
  t.deepEqual(r.done, ['/srv/demo/current → /srv/demo/releases/r2', 'uwsgi-demo.service']);
  t.is(r.failures, '', 'failed requests during the reload');
  t.is(r.releases.length, r.requests);
  t.is(r.releases[0], 'r1');
  t.is(r.releases.at(-1), 'r2');
  // once r2 answered, only r2 answers
  t.deepEqual([...new Set(r.releases.slice(r.releases.indexOf('r2')))], ['r2']);
  // the request in flight when the reload came was finished by its old worker
  t.is(r.slow.status, 200);
  t.regex(r.slow.text, /^release=r1 /);
  // the master re-executed itself (same pid, new code): a reload, not a restart
  t.is(await masterPid(), pid);
  t.regex((await page()).text, /^release=r2 cwd=\/srv\/demo\/releases\/r2 greeting=hello world /);
  t.regex(await h.ssh('journalctl -u uwsgi-demo.service -o cat --no-pager'), /gracefully killing workers/);
});

test.serial('an ini change reloads through the handler; then 0 changed', async (t) => {
  const pid = await masterPid();
  const changed = await configure(plugins({ processes: 3 }));
  t.deepEqual(changed.tasks.filter((e) => e.status === 'changed').map((e) => e.title), ['/etc/uwsgi-demo/uwsgi.ini', 'reload uwsgi-demo']);
  await settle(async () => Number(await h.ssh(`pgrep -c -P ${await masterPid()} || true`)) === 3);
  t.is(Number(await h.ssh(`pgrep -c -P ${await masterPid()}`)), 3);
  t.is(await masterPid(), pid);
  t.is((await configure(plugins({ processes: 3 }))).changed, 0);
  t.is((await page()).status, 200);
});

test.serial('a stop is clean (SIGTERM with die-on-term) and removes the socket; configure starts it again', async (t) => {
  const started = Date.now();
  await h.ssh('systemctl stop uwsgi-demo.service');
  t.true(Date.now() - started < 20_000, 'the stop did not wait for TimeoutStopSec');
  t.is(await h.ssh('systemctl show -p Result --value uwsgi-demo.service'), 'success');
  t.is(await h.ssh('test -e /run/uwsgi-demo && echo present || echo gone'), 'gone');
  const again = await configure(plugins({ processes: 3 }));
  t.deepEqual(again.tasks.filter((e) => e.status === 'changed').map((e) => e.title), ['start uwsgi-demo.service once a release is live']);
  await settle(async () => (await page()).status === 200);
  t.regex((await page()).text, /^release=r2 /);
});

test.serial('secrets never appear in the events', (t) => {
  t.true(events.length > 0);
  t.false(JSON.stringify(events).includes(SENTINEL));
});
