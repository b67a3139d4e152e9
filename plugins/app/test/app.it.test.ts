/**
 * The app plugin against a real disposable Debian 12 host (@runbook/testhosts set `itapp`: sshd, systemd
 * as PID 1) over SshConnection as the non-root `deploy` user, through core's runPlaybook with the
 * configure / deploy / rollback playbooks made from the plugins. The app is apps/demo-django as
 * committed (packed by `upload` from a temp git repo), with Django from Debian; a stand-in plugin runs
 * it with `manage.py runserver` from `current` on 127.0.0.1:8000 (no nginx here) and is the app's
 * reload unit. A second test deploys from a bare git repo on the host. Effects are checked from outside
 * with the system ssh client. Fails (never skips) when the host cannot boot.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { definePlugin, quote, runPlaybook, secret, SshConnection, type Plugin, type RunEvent } from '@runbook/core';
import { command, systemdUnit } from '@runbook/system';
import { checkoutSet, type HostSet, type TestHost } from '@runbook/testhosts';
import { AppHost, demoRepo, why, type Kind } from './helpers/app-host.js';
import { app, type AppOptions } from '../src/index.js';

const SET = checkoutSet('itapp');
const SECRET_VALUE = 'it-Secret-k3y-9f8e7d6c5b4a';
const secrets = { SECRET_KEY: secret(SECRET_VALUE, 'SECRET_KEY') };

let hosts: HostSet;
let host: TestHost;
let scratch: string;
let repo: string;
let box: AppHost;

const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

test.before(async () => {
  ({ scratch, repo } = demoRepo('rb-app-it-'));
  git('add', '-A');
  git('-c', 'user.email=it@rb', '-c', 'user.name=it', 'commit', '-q', '-m', 'c1');
  box = new AppHost(SET, scratch, secrets);
  await box.up();
  ({ hosts, host } = box);
});

test.after.always(async () => {
  await box?.down();
});

const play = (kind: Kind, plugins: Plugin[], opts: Parameters<AppHost['play']>[2] = {}) => box.play(kind, plugins, opts);
const ssh = (cmd: string) => box.ssh(cmd);

const ROOT = '/srv/demo';
const base: AppOptions = {
  name: 'demo',
  source: { upload: { path: '' } }, // set in the test (the temp repo)
  wsgi: 'demo.wsgi:application',
  packages: ['python3-venv', 'python3-django'],
  env: { DATABASE_PATH: `${ROOT}/shared/db.sqlite3`, ALLOWED_HOSTS: '*' },
  healthCheck: { url: 'http://127.0.0.1:8000/health/', retries: 20 },
};

/** Serves `current` with Django's runserver; the app's reload unit (what gunicorn is in production). */
const UNIT = 'demo-web.service';
const standIn = definePlugin({
  name: 'stand-in',
  contribute: (site) => void site.reloadUnits.push(UNIT),
  configure: () => [
    systemdUnit({
      name: UNIT,
      enabled: true,
      content: `[Unit]\nDescription=demo stand-in\n[Service]\nUser=demo\nEnvironmentFile=${ROOT}/shared/.env\nWorkingDirectory=${ROOT}/current\nExecStart=${ROOT}/current/.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000\n[Install]\nWantedBy=multi-user.target\n`,
    }),
  ],
  deploy: () => ({ reload: [command({ run: ['systemctl', 'restart', UNIT], always: true })] }),
});

const record = async (id: string) => JSON.parse(await ssh(`cat ${ROOT}/.releases/${id}.json`));
const current = () => ssh(`readlink ${ROOT}/current`);
const commit = (msg: string): string => {
  git('-c', 'user.email=it@rb', '-c', 'user.name=it', 'commit', '-q', '--allow-empty', '-m', msg);
  return git('rev-parse', 'HEAD');
};

function noSecretIn(t: ExecutionContext, events: RunEvent[]): void {
  const text = JSON.stringify(events);
  t.false(text.includes(SECRET_VALUE), 'the secret value appears in the run events');
  t.false(text.includes(Buffer.from(SECRET_VALUE).toString('base64').slice(0, 20)), 'the secret (base64) appears in the run events');
}

test.serial('upload source: configure twice, deploy, lock, rescue, rollback, prune', async (t) => {
  const opts: AppOptions = { ...base, source: { upload: { path: repo } } };
  const plugins = [app(opts), standIn];

  // configure: twice, the second changes nothing
  const c1 = await play('configure', plugins);
  t.is(c1.exitCode, 0, why(c1));
  t.true(c1.changed.length > 0);
  const c2 = await play('configure', plugins);
  t.is(c2.exitCode, 0, why(c2));
  t.deepEqual(c2.changed, [], 'second configure changed something');
  t.is(await ssh(`getent passwd demo | cut -d: -f6,7`), `${ROOT}:/usr/sbin/nologin`);
  t.is(await ssh(`stat -c %a:%U:%G ${ROOT}/shared/.env`), '600:demo:demo');
  const envText = await ssh(`cat ${ROOT}/shared/.env`);
  t.true(envText.includes(`SECRET_KEY=${SECRET_VALUE}`), 'the .env has the secret');
  t.regex(envText, new RegExp(`^STATIC_ROOT=${ROOT}/current/staticfiles$`, 'm'));
  t.regex(envText, /^STATIC_URL=\/static\/$/m);
  t.is(await ssh(`stat -c %U ${ROOT}/shared/media`), 'demo');

  // deploy r1
  const c1sha = git('rev-parse', 'HEAD');
  const d1 = await play('deploy', plugins, { release: 'r1' });
  t.is(d1.exitCode, 0, why(d1));
  t.is(await current(), `${ROOT}/releases/r1`);
  t.is(await ssh(`cat ${ROOT}/releases/r1/REVISION`), c1sha);
  const r1 = await record('r1');
  t.like(r1, { id: 'r1', commit: c1sha, status: 'ok' });
  t.regex(r1.deployedBy, /@/);
  t.is(await ssh(`readlink ${ROOT}/releases/r1/.env ${ROOT}/releases/r1/media`), `${ROOT}/shared/.env\n${ROOT}/shared/media`);
  t.is(await ssh(`test -e ${ROOT}/.deploy-lock || echo free`), 'free');
  t.is(await ssh(`stat -c %U ${ROOT}/releases/r1 ${ROOT}/releases/r1/manage.py ${ROOT}/shared/db.sqlite3`), 'demo\ndemo\ndemo', 'migrate made the database as the app user');
  t.is(await ssh(`test -f ${ROOT}/releases/r1/staticfiles/css/site.css && echo collected`), 'collected', 'collectstatic wrote into the release');
  t.is(await ssh(`curl -fsS http://127.0.0.1:8000/health/`), 'ok');
  t.regex(await ssh(`cat ${ROOT}/deploy.log`), /deploy r1 ok commit=/);

  // the same release again: nothing but the lock (and the stand-in's restart) changes
  const again = await play('deploy', plugins, { release: 'r1' });
  t.is(again.exitCode, 0, why(again));
  t.deepEqual(again.changed, ['app.lock', 'command.run', 'app.unlock']);

  // r2 from a new commit
  const c2sha = commit('c2');
  const d2 = await play('deploy', plugins, { release: 'r2' });
  t.is(d2.exitCode, 0, why(d2));
  t.is(await current(), `${ROOT}/releases/r2`);
  t.is(await ssh(`cat ${ROOT}/releases/r2/REVISION`), c2sha);

  // a lock someone else holds: the deploy fails, says who and how to release it, touches nothing
  const info = JSON.stringify({ release: 'r9', who: 'ann@laptop', since: '2026-11-24T06:11:00.000Z', command: 'run deploy --env test' });
  await ssh(`mkdir ${ROOT}/.deploy-lock && printf '%s\\n' ${quote(info)} > ${ROOT}/.deploy-lock/info`);
  const locked = await play('deploy', plugins, { release: 'r3' });
  t.is(locked.exitCode, 1);
  t.is(locked.failed[0]?.task, 'app.lock');
  t.regex(locked.failed[0].message, /held by ann@laptop since 2026-11-24T06:11:00.000Z for release r9 \(run deploy --env test\)/);
  t.regex(locked.failed[0].message, /release it with: run unlock --env test --limit \S+$/);
  t.is(await current(), `${ROOT}/releases/r2`);
  t.is(await ssh(`cat ${ROOT}/.deploy-lock/info`), info, 'someone else’s lock stays');
  t.is(await ssh(`test -e ${ROOT}/releases/r3 || test -e ${ROOT}/.releases/r3.json || echo untouched`), 'untouched');
  await ssh(`rm -rf ${ROOT}/.deploy-lock`);

  // a failing health check: switched back to r2, r3 marked failed and its directory removed, lock released
  const sick = [app({ ...opts, healthCheck: { url: 'http://127.0.0.1:8000/no-such-page/', retries: 2 } }), standIn];
  const d3 = await play('deploy', sick, { release: 'r3' });
  t.is(d3.exitCode, 1);
  t.is(d3.failed[0]?.task, 'app.health');
  t.regex(d3.failed[0].message, /health check failed: http:\/\/127\.0\.0\.1:8000\/no-such-page\/ .*after 2 attempt/);
  t.is(await current(), `${ROOT}/releases/r2`);
  t.like(await record('r3'), { id: 'r3', status: 'failed' });
  t.is(await ssh(`test -e ${ROOT}/releases/r3 || echo gone`), 'gone');
  t.is(await ssh(`test -e ${ROOT}/.deploy-lock || echo free`), 'free');
  t.is(await ssh(`systemctl is-active ${UNIT}`), 'active');
  t.regex(await ssh(`tail -n 1 ${ROOT}/deploy.log`), /deploy r3 failed/);

  // rollback: to the last good release before the current one
  const rb = await play('rollback', plugins);
  t.is(rb.exitCode, 0, why(rb));
  t.is(await current(), `${ROOT}/releases/r1`);
  t.like(await record('r2'), { status: 'rolled-back' });
  t.is(await ssh(`test -e ${ROOT}/.deploy-lock || echo free`), 'free');
  // --to a release, and --to one that does not exist
  const to = await play('rollback', plugins, { rollbackTo: 'r2' });
  t.is(to.exitCode, 0, why(to));
  t.is(await current(), `${ROOT}/releases/r2`);
  t.like(await record('r1'), { status: 'rolled-back' });
  const nope = await play('rollback', plugins, { rollbackTo: 'r7' });
  t.is(nope.exitCode, 1);
  t.regex(nope.failed[0]?.message ?? '', /cannot roll back to r7: no such release; releases on this host: r1 \(rolled-back\), r2 \(current, rolled-back\)$/);
  t.is(await current(), `${ROOT}/releases/r2`);

  // prune: keep 2 good releases (never the current one)
  const keep2 = [app({ ...opts, keep: 2 }), standIn];
  commit('c4');
  t.is((await play('deploy', keep2, { release: 'r4' })).exitCode, 0);
  t.is((await play('deploy', keep2, { release: 'r5' })).exitCode, 0);
  t.is(await ssh(`ls ${ROOT}/releases`), 'r4\nr5');
  t.is(await current(), `${ROOT}/releases/r5`);

  noSecretIn(t, box.allEvents);
});

test.serial('git source: clone from a bare repo on the host', async (t) => {
  const gitApp = [app({ name: 'gitapp', source: { git: { repo: 'file:///srv/gitsrc.git', ref: 'main' } }, migrate: false, collectstatic: false, healthCheck: false, sharedDirs: [] })];
  const c1 = await play('configure', gitApp);
  t.is(c1.exitCode, 0, why(c1));
  t.deepEqual((await play('configure', gitApp)).changed, []);
  const sha = await ssh(`set -e; git init -q --bare /srv/gitsrc.git; w=$(mktemp -d); cd $w; git init -q -b main; echo 'print("hi")' > app.py
    git add app.py; git -c user.email=it@rb -c user.name=it commit -q -m one; git push -q /srv/gitsrc.git HEAD:refs/heads/main; git rev-parse HEAD`);
  const d1 = await play('deploy', gitApp, { release: 'g1' });
  t.is(d1.exitCode, 0, why(d1));
  t.is(await ssh('readlink /srv/gitapp/current'), '/srv/gitapp/releases/g1');
  t.is(await ssh('cat /srv/gitapp/current/REVISION; cat /srv/gitapp/current/app.py'), `${sha}\nprint("hi")`);
  t.is(await ssh('stat -c %U /srv/gitapp/releases/g1/app.py; test -e /srv/gitapp/releases/g1/.git || echo no-git'), 'gitapp\nno-git');
  t.like(await ssh('cat /srv/gitapp/.releases/g1.json').then(JSON.parse), { id: 'g1', commit: sha, status: 'ok' });
  const again = await play('deploy', gitApp, { release: 'g1' });
  t.deepEqual(again.changed, ['app.lock', 'app.unlock']);
  noSecretIn(t, box.allEvents);
});
