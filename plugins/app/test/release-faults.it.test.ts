/**
 * Faults of a deploy on a real host (@runbook/testhosts set `itrelfaults`, one Debian 12 host, as the non-root
 * `deploy` user), through core's runPlaybook with the plugins' configure / deploy / rollback playbooks:
 * app + a stand-in app server (Django's runserver from `current`, and a worker unit, as gunicorn and
 * celery would be) + the real nginx plugin, which serves `/static/` from the live release. The app root
 * is a 300 MiB tmpfs mounted inside the host, so a full disk fills that and nothing else.
 * Checked from outside: HTTP through nginx, and the host's state over the system ssh client.
 *   a build that fails (pip) → no release directory left, the previous release serves;
 *   a nearly full disk → the free-space check fails first, naming the path and the need;
 *   no free-space check and a full disk → the venv build says "no space left on <path>", leaves no half venv, rescue frees it;
 *   a migration that fails → its static files are never served; rollback brings the earlier ones back;
 *   a changed .env → the app's units restart (MainPID), --check --diff names keys, never values;
 *   a worker that crash-loops after the switch → verify fails, the previous release serves again.
 * Fails (never skips) when the host cannot boot.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, secret, type Plugin, type Secret } from '@runbook/core';
import { nginx } from '@runbook/nginx';
import { command, systemdUnit } from '@runbook/system';
import { checkoutSet, type HostSet, type TestHost } from '@runbook/testhosts';
import { AppHost, demoRepo, why, type Kind } from './helpers/app-host.js';
import { app, type AppOptions } from '../src/index.js';

const SET = checkoutSet('itrelfaults');
const ROOT = '/srv/rel';
const SECRET_1 = 'rel-Secret-k3y-1a2b3c4d5e6f';
const SECRET_2 = 'rel-Secret-k3y-2f3e4d5c6b7a';
const FEATURE_VALUE = 'feature-value-plain-77';
const secrets: Record<string, Secret> = { SECRET_KEY: secret(SECRET_1, 'SECRET_KEY') };

let hosts: HostSet;
let host: TestHost;
let scratch: string;
let repo: string;
let box: AppHost;

const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
/** Writes files into the app's repo and commits them. */
function commit(msg: string, files: Record<string, string> = {}): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git('add', '-A');
  git('-c', 'user.email=it@rb', '-c', 'user.name=it', 'commit', '-q', '--allow-empty', '-m', msg);
}
const CSS = 'pages/static/css/site.css';
const css = (v: string) => `body { font-family: sans-serif }\n/* rel ${v} */\n`;
const WORKER = 'import time\nwhile True:\n    time.sleep(60)\n';
const BROKEN_WORKER = 'import time\ntime.sleep(0.5)\nraise SystemExit("worker: this release is broken")\n';

test.before(async () => {
  ({ scratch, repo } = demoRepo('rb-rel-it-'));
  commit('v1', { 'worker.py': WORKER, [CSS]: css('v1') });
  box = new AppHost(SET, scratch, secrets);
  await box.up();
  ({ hosts, host } = box);
  // the app root on a disk of its own: filling it fills nothing else
  await ssh(`mkdir -p ${ROOT} && mount -t tmpfs -o size=300m,mode=0755 tmpfs ${ROOT}`);
});

test.after.always(async () => {
  await box?.down();
});

const play = (kind: Kind, plugins: Plugin[], opts: Parameters<AppHost['play']>[2] = {}) => box.play(kind, plugins, opts);
const ssh = (cmd: string) => box.ssh(cmd);

/** The CSS nginx serves for the site, from this machine. */
async function servedCss(): Promise<string> {
  const r = await fetch(`http://${host.address}/static/css/site.css`, { signal: AbortSignal.timeout(10_000) });
  return `${r.status} ${(await r.text()).trim().split('\n').pop()}`;
}
const health = () => ssh(`curl -fsS -H 'Host: ${host.name}' http://127.0.0.1/health/`);
const current = () => ssh(`readlink ${ROOT}/current`);
const releases = () => ssh(`ls ${ROOT}/releases`);
const record = async (id: string) => JSON.parse(await ssh(`cat ${ROOT}/.releases/${id}.json`));
const lockFree = async (t: ExecutionContext) => t.is(await ssh(`test -e ${ROOT}/.deploy-lock || echo free`), 'free', 'the lock is released');
const mainPid = (unit: string) => ssh(`systemctl show -p MainPID --value ${unit}`);

const WEB = 'rel-web.service';
const WORKER_UNIT = 'rel-worker.service';
const unit = (description: string, exec: string, extra = '') =>
  `[Unit]\nDescription=${description}\n[Service]\nUser=rel\nEnvironmentFile=${ROOT}/shared/.env\nWorkingDirectory=${ROOT}/current\nExecStart=${exec}\n${extra}[Install]\nWantedBy=multi-user.target\n`;
/** The app server and the worker (gunicorn and celery in production): the site's reload units. */
const standIn = definePlugin({
  name: 'stand-in',
  contribute(site) {
    site.upstream = { protocol: 'http', address: '127.0.0.1:8000' };
    site.reloadUnits.push(WEB, WORKER_UNIT);
  },
  configure: () => [
    systemdUnit({ name: WEB, enabled: true, content: unit('rel web', `${ROOT}/current/.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000`) }),
    systemdUnit({ name: WORKER_UNIT, enabled: true, content: unit('rel worker', `${ROOT}/current/.venv/bin/python worker.py`, 'Restart=on-failure\nRestartSec=300ms\n') }),
  ],
  deploy: () => ({ reload: [command({ run: ['systemctl', 'restart', WEB, WORKER_UNIT], always: true })] }),
});

const base: AppOptions = {
  name: 'rel',
  source: { upload: { path: '' } }, // the temp repo, set below
  wsgi: 'demo.wsgi:application',
  packages: ['python3-venv', 'python3-django'],
  env: { DATABASE_PATH: `${ROOT}/shared/db.sqlite3`, ALLOWED_HOSTS: '*' },
  // Django comes from Debian: pip may fetch nothing (a requirement it cannot find fails the build)
  pipArgs: ['--no-index'],
  minFreeSpace: '64M',
  healthCheck: { retries: 20 },
};
const plugins = (o: Partial<AppOptions> = {}): Plugin[] => [app({ ...base, source: { upload: { path: repo } }, ...o }), standIn, nginx()];

test.serial('configure twice; r1 serves its own static files through nginx; the same release again builds nothing', async (t) => {
  const c1 = await play('configure', plugins());
  t.is(c1.exitCode, 0, why(c1));
  const c2 = await play('configure', plugins());
  t.is(c2.exitCode, 0, why(c2));
  t.deepEqual(c2.changed, [], 'second configure changed something');
  t.regex(await ssh(`cat ${ROOT}/shared/.env`), new RegExp(`^STATIC_ROOT=${ROOT}/current/staticfiles$`, 'm'));
  t.is(await ssh(`test -e ${ROOT}/shared/static || echo none`), 'none', 'no shared static dir');

  const d1 = await play('deploy', plugins(), { release: 'r1' });
  t.is(d1.exitCode, 0, why(d1));
  t.is(await current(), `${ROOT}/releases/r1`);
  t.true(d1.tasks.some((e) => e.task === 'app.space' && e.status === 'ok' && /MiB free on \/srv\/rel\/releases \(filesystem \/srv\/rel\)/.test(e.reason ?? '')));
  t.true(d1.tasks.some((e) => e.task === 'app.units' && e.status === 'ok'), 'the units were verified');
  t.is(await ssh(`test -f ${ROOT}/releases/r1/staticfiles/css/site.css && echo collected`), 'collected', 'collectstatic wrote into the release');
  t.is(await servedCss(), '200 /* rel v1 */');
  t.is(await health(), 'ok');
  t.is(await ssh(`systemctl is-active ${WEB} ${WORKER_UNIT}`), 'active\nactive');

  const again = await play('deploy', plugins(), { release: 'r1' });
  t.is(again.exitCode, 0, why(again));
  t.deepEqual(again.changed, ['app.lock', 'command.run', 'app.unlock'], 'only the lock and the stand-in’s restart');
  await lockFree(t);
});

test.serial('a build that fails leaves no release directory behind; r1 keeps serving; leftovers of a killed deploy go first', async (t) => {
  // what a killed deploy leaves: a release without REVISION, one without a record, a temp dir of a code fetch
  await ssh(`mkdir -p ${ROOT}/releases/r0a ${ROOT}/releases/r0b ${ROOT}/releases/.rb.Killed && echo abc > ${ROOT}/releases/r0b/REVISION`);
  commit('v2 with a requirement pip cannot find', { 'requirements.txt': 'no-such-package-rb==1.0\n', [CSS]: css('v2-broken') });
  const d = await play('deploy', plugins(), { release: 'r2' });
  t.is(d.exitCode, 1);
  const left = d.tasks.find((e) => e.task === 'app.leftovers');
  t.deepEqual(left?.changes, ['remove release r0a (incomplete: no REVISION)', 'remove release r0b (never recorded: its deploy did not finish)', 'remove temp dir releases/.rb.Killed']);
  t.is(d.failed[0]?.task, 'app.venv');
  t.regex(d.failed[0].message, /pip install .*-r requirements\.txt .*failed \(exit 1\)/);
  t.is(await releases(), 'r1', 'the failed release is gone, and the leftovers');
  t.is(await ssh(`ls -A ${ROOT}/releases`), 'r1');
  t.like(await record('r2'), { id: 'r2', status: 'failed' });
  t.is(await current(), `${ROOT}/releases/r1`);
  t.is(await servedCss(), '200 /* rel v1 */');
  t.is(await health(), 'ok');
  await lockFree(t);
  commit('v2 fixed', { 'requirements.txt': '# nothing to install\n' });
});

test.serial('a nearly full disk: the free-space check fails first, naming the path and the need', async (t) => {
  t.teardown(() => ssh(`rm -f ${ROOT}/filler`).then(() => undefined));
  // leave 20 MiB on the app's filesystem
  await ssh(`a=$(df -Pk ${ROOT} | awk 'NR == 2 { print $4 }'); fallocate -l $(( (a - 20480) * 1024 )) ${ROOT}/filler`);
  const d = await play('deploy', plugins(), { release: 'r3' });
  t.is(d.exitCode, 1);
  t.is(d.failed[0]?.task, 'app.space');
  t.regex(d.failed[0].message, /^not enough free space for a release on \/srv\/rel\/releases \(filesystem \/srv\/rel\): (19|20) MiB free, 64 MiB needed \(minFreeSpace\)/);
  t.is(await releases(), 'r1');
  t.is(await current(), `${ROOT}/releases/r1`);
  await lockFree(t);

  // without the check, on a disk with 3 MiB left: the build step names the full disk; the rescue frees it.
  // A requirement line: the new venv needs pip, whose ensurepip writes megabytes (a venv without pip fits)
  commit('v4 needs pip', { 'requirements.txt': 'Django\n' });
  await ssh(`rm -f ${ROOT}/filler; a=$(df -Pk ${ROOT} | awk 'NR == 2 { print $4 }'); fallocate -l $(( (a - 3072) * 1024 )) ${ROOT}/filler`);
  const full = await play('deploy', plugins({ minFreeSpace: false }), { release: 'r4' });
  t.is(full.exitCode, 1);
  t.is(full.failed[0]?.task, 'app.venv');
  // venv swallows ensurepip's own ENOSPC message: the step names the full filesystem all the same
  t.regex(full.failed[0].message, /^python3 -m venv --system-site-packages \/srv\/rel\/\.venvs\/[0-9a-f]{16} && pip install -r requirements\.txt failed \(exit 1\): no space left on \/srv\/rel\/\.venvs \([0-3] MiB free on \/srv\/rel\): /);
  t.is(await releases(), 'r1', 'the half-built release is gone');
  t.is(await ssh(`ls ${ROOT}/.venvs | wc -l`), '1', 'and its half-built venv: only r1’s is left');
  t.like(await record('r4'), { id: 'r4', status: 'failed' }, 'recorded after the removal made room');
  t.is(await servedCss(), '200 /* rel v1 */');
  await lockFree(t);
  commit('v4 back to no requirements', { 'requirements.txt': '# nothing to install\n' });
});

test.serial('a migration that fails publishes none of its static files; rollback brings the earlier ones back', async (t) => {
  commit('v5: static files of their own', { [CSS]: css('v5') });
  const d5 = await play('deploy', plugins(), { release: 'r5' });
  t.is(d5.exitCode, 0, why(d5));
  t.is(await servedCss(), '200 /* rel v5 */');

  commit('v6: a migration that fails', {
    [CSS]: css('v6'),
    'pages/migrations/0003_fails.py': [
      'from django.db import migrations',
      'def fail(apps, schema_editor):',
      "    raise RuntimeError('migration 0003 fails on purpose')",
      'class Migration(migrations.Migration):',
      "    dependencies = [('pages', '0002_job')]",
      '    operations = [migrations.RunPython(fail)]',
      '',
    ].join('\n'),
  });
  const d6 = await play('deploy', plugins(), { release: 'r6' });
  t.is(d6.exitCode, 1);
  t.is(d6.failed[0]?.task, 'app.step');
  t.regex(d6.failed[0].message, /manage\.py migrate --noinput failed \(exit 1\): RuntimeError: migration 0003 fails on purpose/);
  t.is(await servedCss(), '200 /* rel v5 */', 'the failed release’s CSS was never served');
  t.is(await current(), `${ROOT}/releases/r5`);
  t.is(await ssh(`test -e ${ROOT}/releases/r6 || echo gone`), 'gone');

  git('rm', '-q', 'pages/migrations/0003_fails.py');
  commit('v7', { [CSS]: css('v7') });
  t.is((await play('deploy', plugins(), { release: 'r7' })).exitCode, 0);
  t.is(await servedCss(), '200 /* rel v7 */');
  const rb = await play('rollback', plugins());
  t.is(rb.exitCode, 0, why(rb));
  t.is(await current(), `${ROOT}/releases/r5`);
  t.is(await servedCss(), '200 /* rel v5 */', 'rollback brought the earlier static files back');
  t.true(rb.tasks.some((e) => e.task === 'app.units' && e.status === 'ok'), 'the rollback verified the units');
  await lockFree(t);
});

test.serial('a changed .env restarts the app’s units; --check --diff names keys, never values', async (t) => {
  const before = { web: await mainPid(WEB), worker: await mainPid(WORKER_UNIT) };
  box.secrets = { SECRET_KEY: secret(SECRET_2, 'SECRET_KEY') };
  const changed = plugins({ env: { ...base.env, FEATURE: FEATURE_VALUE } });
  const dry = await play('configure', changed, { check: true });
  t.is(dry.exitCode, 2, 'drift');
  const env = dry.tasks.find((e) => e.task === 'app.env')!;
  t.deepEqual(env.changes, [`update ${ROOT}/shared/.env: +FEATURE, ~SECRET_KEY`]);
  t.is(env.diff, `${ROOT}/shared/.env (keys; values hidden):\n+ FEATURE=••••••\n~ SECRET_KEY: changed\n`);
  t.deepEqual(dry.tasks.find((e) => e.task === 'app.restart')?.changes, [`restart ${WEB}, ${WORKER_UNIT}`], 'the restart it would cause');
  const text = JSON.stringify(dry.tasks);
  for (const value of [FEATURE_VALUE, SECRET_1, SECRET_2]) t.false(text.includes(value), `${value} shown under --check --diff`);
  t.is(await mainPid(WEB), before.web, '--check restarted nothing');

  const c = await play('configure', changed);
  t.is(c.exitCode, 0, why(c));
  t.deepEqual(c.changed, ['app.env', 'app.restart']);
  t.not(await mainPid(WEB), before.web, 'the web unit restarted');
  t.not(await mainPid(WORKER_UNIT), before.worker, 'the worker restarted');
  t.regex(await ssh(`tr '\\0' '\\n' < /proc/$(systemctl show -p MainPID --value ${WEB})/environ`), new RegExp(`^FEATURE=${FEATURE_VALUE}$`, 'm'), 'the running app has the new value');
  t.is(await health(), 'ok');
  const after = await mainPid(WEB);
  const again = await play('configure', changed);
  t.deepEqual(again.changed, [], 'second configure changed something');
  t.is(await mainPid(WEB), after, 'an unchanged .env restarts nothing');
});

test.serial('a worker that crash-loops after the switch fails the deploy; the previous release serves again', async (t) => {
  commit('v8: the worker dies', { 'worker.py': BROKEN_WORKER, [CSS]: css('v8') });
  const d = await play('deploy', plugins(), { release: 'r8' });
  t.is(d.exitCode, 1);
  t.is(d.failed[0]?.task, 'app.units');
  t.regex(d.failed[0].message, /^units not running steadily: rel-worker\.service: (restarted \d+ time\(s\)|was active, then|activating|failed)/);
  t.notRegex(d.failed[0].message, /rel-web\.service:/, 'the web unit was steady');
  t.is(await current(), `${ROOT}/releases/r5`);
  t.is(await ssh(`test -e ${ROOT}/releases/r8 || echo gone`), 'gone');
  t.like(await record('r8'), { status: 'failed' });
  t.is(await servedCss(), '200 /* rel v5 */');
  t.is(await health(), 'ok');
  // the worker of the previous release runs again, steadily
  const restarts = await ssh(`sleep 2; systemctl show -p NRestarts --value ${WORKER_UNIT}`);
  t.is(await ssh(`sleep 2; systemctl is-active ${WORKER_UNIT}; systemctl show -p NRestarts --value ${WORKER_UNIT}`), `active\n${restarts}`);
  await lockFree(t);
});

test.serial('no secret value in any event', (t) => {
  const text = JSON.stringify(box.allEvents);
  for (const value of [SECRET_1, SECRET_2]) t.false(text.includes(value));
});
