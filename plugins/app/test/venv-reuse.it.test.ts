/**
 * Venv reuse across releases on a real Debian 12 host (@runbook/testhosts set `itvenvreuse`), through
 * core's runPlaybook as the non-root `deploy` user, the same harness as app.it: apps/demo-django as
 * committed, Django from Debian (--system-site-packages), a stand-in unit that runs it with
 * `<current>/.venv/bin/python manage.py runserver` (what gunicorn's unit does), checked over ssh.
 *   two releases with the same requirements → one venv (same inode through `.venv`), no venv build;
 *   the demo's requirements have no requirement lines → the venv has no pip (--without-pip);
 *   a requirement added → a new venv, with pip, built and serving;
 *   rollback to the first release → its venv was kept, it serves;
 *   a deploy that prunes the releases of the first venv → that venv goes, the live one stays;
 *   a venv build on a full disk (the app root is a 300 MiB tmpfs) → fails naming it, leaves no venv.
 * Logs each deploy's wall time. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, secret, type Plugin, type RunEvent } from '@runbook/core';
import { command, systemdUnit } from '@runbook/system';
import { checkoutSet, type HostSet, type TestHost } from '@runbook/testhosts';
import { AppHost, demoRepo, why, type Kind, type Played } from './helpers/app-host.js';
import { app, type AppOptions } from '../src/index.js';

const SET = checkoutSet('itvenvreuse');
const secrets = { SECRET_KEY: secret('vr-Secret-k3y-0a1b2c3d4e5f', 'SECRET_KEY') };

let hosts: HostSet;
let host: TestHost;
let scratch: string;
let repo: string;
let box: AppHost;

const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

test.before(async () => {
  ({ scratch, repo } = demoRepo('rb-venvreuse-it-'));
  git('add', '-A');
  git('-c', 'user.email=it@rb', '-c', 'user.name=it', 'commit', '-q', '-m', 'c1');
  box = new AppHost(SET, scratch, secrets);
  await box.up();
  ({ hosts, host } = box);
  // the app root on a tmpfs of its own, so a full disk fills that and nothing else
  await ssh(`mkdir -p ${ROOT} && mount -t tmpfs -o size=300m,mode=0755 tmpfs ${ROOT}`);
});

test.after.always(async () => {
  await box?.down();
});

const play = (kind: Kind, plugins: Plugin[], opts: Parameters<AppHost['play']>[2] = {}) => box.play(kind, plugins, opts);
const ssh = (cmd: string) => box.ssh(cmd);

const ROOT = '/srv/vr';
const UNIT = 'vr-web.service';
const options = (keep: number, more: Partial<AppOptions> = {}): AppOptions => ({
  name: 'vr',
  source: { upload: { path: repo } },
  wsgi: 'demo.wsgi:application',
  packages: ['python3-venv', 'python3-django'],
  env: { DATABASE_PATH: `${ROOT}/shared/db.sqlite3`, ALLOWED_HOSTS: '*' },
  healthCheck: { url: 'http://127.0.0.1:8000/health/', retries: 20 },
  // the app root is a 300 MiB tmpfs
  minFreeSpace: '64M',
  keep,
  ...more,
});
/** Serves `current` with Django's runserver through `<current>/.venv/bin/python`; the app's reload unit. */
const standIn = definePlugin({
  name: 'stand-in',
  contribute: (site) => void site.reloadUnits.push(UNIT),
  configure: () => [
    systemdUnit({
      name: UNIT,
      enabled: true,
      content: `[Unit]\nDescription=venv reuse stand-in\n[Service]\nUser=vr\nEnvironmentFile=${ROOT}/shared/.env\nWorkingDirectory=${ROOT}/current\nExecStart=${ROOT}/current/.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000\n[Install]\nWantedBy=multi-user.target\n`,
    }),
  ],
  deploy: () => ({ reload: [command({ run: ['systemctl', 'restart', UNIT], always: true })] }),
});
const plugins = (keep = 3, more: Partial<AppOptions> = {}): Plugin[] => [app(options(keep, more)), standIn];

const commit = (msg: string, files: Record<string, string> = {}): void => {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(repo, path), text);
  git('add', '-A');
  git('-c', 'user.email=it@rb', '-c', 'user.name=it', 'commit', '-q', '--allow-empty', '-m', msg);
};
/** The app.venv task's event of a run. */
const current = () => ssh(`readlink ${ROOT}/current`);
const venvEvent = (p: Played) => p.events.find((e): e is Extract<RunEvent, { type: 'task' }> => e.type === 'task' && e.task === 'app.venv')!;
const venvOf = (id: string) => ssh(`readlink ${ROOT}/releases/${id}/.venv`);
const inodeOf = (id: string) => ssh(`stat -L -c %i ${ROOT}/releases/${id}/.venv`);
const served = () => ssh('curl -fsS http://127.0.0.1:8000/health/');

async function deploy(id: string, keep = 3): Promise<Played & { ms: number }> {
  const t0 = Date.now();
  const d = await play('deploy', plugins(keep), { release: id });
  return { ...d, ms: Date.now() - t0 };
}

test.serial('a venv is reused while the dependency inputs stay, rebuilt when they change, kept for rollback, pruned when unused', async (t) => {
  const c = await play('configure', plugins());
  t.is(c.exitCode, 0, why(c));

  // v1: the first venv; the demo's requirements have no requirement lines: no pip in it
  const d1 = await deploy('v1');
  t.is(d1.exitCode, 0, why(d1));
  t.log(`deploy v1 (venv built): ${d1.ms} ms`);
  const k1 = await venvOf('v1');
  t.regex(k1, new RegExp(`^${ROOT}/\\.venvs/[0-9a-f]{16}$`));
  t.regex(venvEvent(d1).changes!.join('\n'), /^build venv .* --without-pip /m);
  t.is(await ssh(`test -f ${k1}/.rb-complete && test ! -e ${k1}/bin/pip && stat -c %U ${k1}`), 'vr', 'complete, no pip, the app user’s');
  t.is(await served(), 'ok');

  // v2: a new commit, the same requirements: the same venv, nothing built
  commit('c2', { 'NOTES.txt': 'code change only\n' });
  const d2 = await deploy('v2');
  t.is(d2.exitCode, 0, why(d2));
  t.log(`deploy v2 (unchanged dependencies): ${d2.ms} ms`);
  t.is(await venvOf('v2'), k1);
  t.is(await inodeOf('v2'), await inodeOf('v1'), 'the same directory');
  t.deepEqual(venvEvent(d2).changes, [`reuse venv ${k1} (same requirements, python, pip args)`]);
  t.false(JSON.stringify(d2.events).includes('-m venv'), 'no venv build in the deploy log');
  t.is(await current(), `${ROOT}/releases/v2`);
  t.is(await served(), 'ok');

  // v3: a requirement added (Django, there from Debian through --system-site-packages): a new venv, with pip
  commit('c3', { 'requirements.txt': `${await ssh(`cat ${ROOT}/releases/v1/requirements.txt`)}\nDjango\n` });
  const d3 = await deploy('v3');
  t.is(d3.exitCode, 0, why(d3));
  t.log(`deploy v3 (changed requirements): ${d3.ms} ms`);
  const k2 = await venvOf('v3');
  t.not(k2, k1);
  t.not(await inodeOf('v3'), await inodeOf('v1'));
  t.regex(venvEvent(d3).changes!.join('\n'), /^build venv .*\ninstall requirements\.txt: /);
  t.is(await ssh(`test -x ${k2}/bin/pip && test -f ${k2}/.rb-requirements && test -f ${k2}/.rb-complete && echo pip`), 'pip');
  t.is(await served(), 'ok');
  t.is(await ssh(`ls ${ROOT}/.venvs | wc -l`), '2');

  // rollback to the first release: its venv was kept, it serves
  const rb = await play('rollback', plugins(), { rollbackTo: 'v1' });
  t.is(rb.exitCode, 0, why(rb));
  t.is(await current(), `${ROOT}/releases/v1`);
  t.is(await served(), 'ok');
  t.is(await ssh(`readlink -f /proc/$(systemctl show -p MainPID --value ${UNIT})/cwd`), `${ROOT}/releases/v1`);

  // v4 with keep 1: every other release goes, and with them the first venv; v4 reuses v3's
  const d4 = await deploy('v4', 1);
  t.is(d4.exitCode, 0, why(d4));
  t.log(`deploy v4 (unchanged dependencies since v3, prunes): ${d4.ms} ms`);
  t.is(await venvOf('v4'), k2);
  t.is(await ssh(`ls ${ROOT}/releases`), 'v4');
  t.is(await ssh(`ls ${ROOT}/.venvs`), k2.slice(k2.lastIndexOf('/') + 1), 'the unused venv was pruned');
  t.true(d4.changed.includes('app.prune-venvs'));
  t.is(await served(), 'ok');
});

test.serial('a venv build on a full disk fails naming it and leaves no venv; the live release serves', async (t) => {
  t.teardown(() => ssh(`rm -f ${ROOT}/filler`).then(() => undefined));
  const before = await ssh(`ls ${ROOT}/.venvs`);
  const live = await current();
  // new inputs that need pip (ensurepip writes megabytes), with 3 MiB left on the app's filesystem
  commit('full disk', { 'requirements.txt': `${await ssh(`cat ${live}/requirements.txt`)}\n# a new key\n` });
  await ssh(`a=$(df -Pk ${ROOT} | awk 'NR == 2 { print $4 }'); fallocate -l $(( (a - 3072) * 1024 )) ${ROOT}/filler`);
  const d = await play('deploy', plugins(3, { minFreeSpace: false }), { release: 'v5' });
  t.is(d.exitCode, 1);
  t.is(d.failed[0]?.task, 'app.venv');
  t.regex(d.failed[0].message, new RegExp(`^python3 -m venv --system-site-packages ${ROOT}/\\.venvs/[0-9a-f]{16} && pip install -r requirements\\.txt failed \\(exit 1\\): no space left on ${ROOT}/\\.venvs \\([0-3] MiB free on ${ROOT}\\): `));
  t.is(await ssh(`ls ${ROOT}/.venvs`), before, 'no half venv left');
  t.is(await current(), live);
  t.is(await ssh(`test -e ${ROOT}/releases/v5 || echo gone`), 'gone');
  t.is(await served(), 'ok');
});
