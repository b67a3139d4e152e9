/**
 * What a deploy reuses on a real Debian 12 host (@runbook/testhosts set `itdspeeda`), through core's
 * runPlaybook as the non-root `deploy` user (the harness of app.it and venv-reuse.it): apps/demo-django
 * as committed, a stand-in unit that runs `current` with runserver on :8000 and one that serves
 * `current/staticfiles` over HTTP on :8001 (what nginx does in production), checked over ssh with curl.
 *   the same commit again → its code copied on the host (nothing sent), the static files hard-linked
 *     from the last release (no collectstatic), the venv reused, few execs; the new release serves;
 *   a changed requirement → a new venv;
 *   a changed static file → the code sent, the static files collected again, the new file served;
 *   a changed view → the code sent and served, the static files still reused;
 *   the same release again → nothing but the lock and the stand-in's restart changes.
 * Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, secret, type HostRecap, type Plugin, type RunEvent } from '@runbook/core';
import { command, systemdUnit } from '@runbook/system';
import { checkoutSet } from '@runbook/testhosts';
import { AppHost, demoRepo, why, type Played } from './helpers/app-host.js';
import { app } from '../src/index.js';

const SET = checkoutSet('itdspeeda');
const ROOT = '/srv/dr';
const WEB = 'dr-web.service';
const STATIC = 'dr-static.service';
const secrets = { SECRET_KEY: secret('dr-Secret-k3y-9f8e7d6c5b4a', 'SECRET_KEY') };

let repo: string;
let box: AppHost;
const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
const commit = (msg: string, files: Record<string, string> = {}): void => {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(repo, path), text);
  git('add', '-A');
  git('-c', 'user.email=it@rb', '-c', 'user.name=it', 'commit', '-q', '--allow-empty', '-m', msg);
};

test.before(async () => {
  let scratch: string;
  ({ scratch, repo } = demoRepo('rb-deploy-reuse-it-'));
  commit('c1');
  box = new AppHost(SET, scratch, secrets);
  await box.up();
});
test.after.always(async () => {
  await box?.down();
});

/** runserver from `current` (the app's reload unit), and `current/staticfiles` over HTTP (resolved per request). */
const standIn = definePlugin({
  name: 'stand-in',
  contribute: (site) => void site.reloadUnits.push(WEB),
  configure: () => [
    systemdUnit({
      name: WEB,
      enabled: true,
      content: `[Unit]\nDescription=deploy reuse stand-in\n[Service]\nUser=dr\nEnvironmentFile=${ROOT}/shared/.env\nWorkingDirectory=${ROOT}/current\nExecStart=${ROOT}/current/.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000\n[Install]\nWantedBy=multi-user.target\n`,
    }),
    systemdUnit({
      name: STATIC,
      enabled: true,
      state: 'started',
      content: `[Unit]\nDescription=static files of current\n[Service]\nUser=dr\nExecStart=/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory ${ROOT}/current/staticfiles 8001\n[Install]\nWantedBy=multi-user.target\n`,
    }),
  ],
  deploy: () => ({ reload: [command({ run: ['systemctl', 'restart', WEB], always: true })] }),
});
const plugins = (): Plugin[] => [
  app({
    name: 'dr',
    source: { upload: { path: repo } },
    wsgi: 'demo.wsgi:application',
    packages: ['python3-venv', 'python3-django'],
    env: { DATABASE_PATH: `${ROOT}/shared/db.sqlite3`, ALLOWED_HOSTS: '*' },
    healthCheck: { url: 'http://127.0.0.1:8000/health/', retries: 20 },
  }),
  standIn,
];

const ssh = (cmd: string) => box.ssh(cmd);
const task = (p: Played, name: string) => p.tasks.find((e) => e.task === name && e.status !== 'skipped');
const recapOf = (p: Played): HostRecap => (p.events.find((e): e is Extract<RunEvent, { type: 'recap' }> => e.type === 'recap')!).hosts[box.host.name];
const inode = (path: string) => ssh(`stat -c %i ${ROOT}/releases/${path}`);
const CSS = 'staticfiles/css/site.css';
const page = () => ssh('curl -fsS http://127.0.0.1:8000/');
const css = () => ssh('curl -fsS http://127.0.0.1:8001/css/site.css');

async function deploy(id: string): Promise<Played & { ms: number }> {
  const t0 = Date.now();
  const d = await box.play('deploy', plugins(), { release: id });
  return { ...d, ms: Date.now() - t0 };
}

test.serial('an unchanged deploy copies the code, links the static files and the venv; a changed requirement, static file or view is rebuilt, sent and served', async (t) => {
  const c = await box.play('configure', plugins());
  t.is(c.exitCode, 0, why(c));
  const d1 = await deploy('v1');
  t.is(d1.exitCode, 0, why(d1));
  t.regex(task(d1, 'app.release')!.changes![0], /^unpack commit /);
  t.log(`v1 (first): ${d1.ms} ms, ${recapOf(d1).execs} execs, ${recapOf(d1).bytesSent} bytes sent`);

  // the same commit: nothing sent, nothing collected, nothing built
  const d2 = await deploy('v2');
  t.is(d2.exitCode, 0, why(d2));
  const r2 = recapOf(d2);
  t.log(`v2 (unchanged): ${d2.ms} ms, ${r2.execs} execs, ${r2.bytesSent} bytes sent`);
  t.regex(task(d2, 'app.release')!.changes![0], /^copy the code of release v1 \(same tree [0-9a-f]{10}, nothing sent\)/);
  t.true(r2.bytesSent < recapOf(d1).bytesSent, 'less sent than with the tarball');
  t.is(await inode(`v2/${CSS}`), await inode(`v1/${CSS}`), 'the static files are v1’s, hard-linked: collectstatic did not run');
  t.is(await inode('v2/manage.py'), await inode('v1/manage.py'), 'the code is v1’s, hard-linked');
  t.deepEqual(task(d2, 'app.venv')!.changes, [`reuse venv ${await ssh(`readlink ${ROOT}/releases/v1/.venv`)} (same requirements, python, pip args)`]);
  // lock…build: the facts of root and the app user (runuser inside root's exec); root's changes with the
  // facts read after them; the app user's changes with the switch's facts; the switch, the restart, the
  // health and unit checks and the finish's facts; the record with the unlock's facts; the unlock (26, then 10 before)
  t.true(r2.execs <= 6, `${r2.execs} execs`);
  t.regex(await page(), /<span id="release">v2<\/span>/);
  t.is(await css(), readFileSync(join(repo, 'pages/static/css/site.css'), 'utf8').trim());

  // a changed requirement: a new venv
  commit('c3', { 'requirements.txt': `${readFileSync(join(repo, 'requirements.txt'), 'utf8')}\n# a new dependency key\n` });
  const d3 = await deploy('v3');
  t.is(d3.exitCode, 0, why(d3));
  t.regex(task(d3, 'app.venv')!.changes!.join('\n'), /^build venv /m);
  t.not(await ssh(`readlink ${ROOT}/releases/v3/.venv`), await ssh(`readlink ${ROOT}/releases/v2/.venv`));
  t.regex(task(d3, 'app.release')!.changes![0], /^unpack commit /, 'a changed file is sent');
  t.regex(await page(), /<span id="release">v3<\/span>/);

  // a changed static file: sent, collected again, served
  const newCss = `/* v4 */\n${readFileSync(join(repo, 'pages/static/css/site.css'), 'utf8')}`;
  commit('c4', { 'pages/static/css/site.css': newCss });
  const d4 = await deploy('v4');
  t.is(d4.exitCode, 0, why(d4));
  t.regex(task(d4, 'app.release')!.changes![0], /^unpack commit /);
  t.not(await inode(`v4/${CSS}`), await inode(`v3/${CSS}`), 'collected anew');
  t.is(await css(), newCss.trim());

  // a changed view: sent and served; its static files are v4's
  const views = readFileSync(join(repo, 'pages/views.py'), 'utf8');
  commit('c5', { 'pages/views.py': views.replace(`HttpResponse('ok',`, `HttpResponse('ok v5',`) });
  const d5 = await deploy('v5');
  t.is(d5.exitCode, 0, why(d5));
  t.regex(task(d5, 'app.release')!.changes![0], /^unpack commit /);
  t.is(await ssh('curl -fsS http://127.0.0.1:8000/health/'), 'ok v5');
  t.is(await inode(`v5/${CSS}`), await inode(`v4/${CSS}`), 'a view is no static input: the static files are reused');
  t.is(await css(), newCss.trim());

  // the same release again: nothing but the lock and the stand-in's restart
  const again = await deploy('v5');
  t.is(again.exitCode, 0, why(again));
  t.deepEqual(again.changed, ['app.lock', 'command.run', 'app.unlock']);
});

test.serial('a git source: a changed view links the static files of the last release; a changed static file collects them', async (t) => {
  const GROOT = '/srv/drg';
  // the repository reaches the host as a bundle pushed into a bare repository there (the host has no route out)
  const push = async () => {
    const bundle = execFileSync('git', ['-C', repo, 'bundle', 'create', '-', 'HEAD', 'main']).toString('base64');
    await ssh(`set -e; [ -d /srv/drg.git ] || git init -q --bare /srv/drg.git; printf '%s' '${bundle}' | base64 -d > /tmp/drg.bundle
      git -C /srv/drg.git fetch -q /tmp/drg.bundle '+main:main'; rm /tmp/drg.bundle`);
  };
  const gitApp = (): Plugin[] => [app({
    name: 'drg', source: { git: { repo: 'file:///srv/drg.git', ref: 'main' } }, wsgi: 'demo.wsgi:application',
    env: { DATABASE_PATH: `${GROOT}/shared/db.sqlite3`, ALLOWED_HOSTS: '*' }, healthCheck: false,
  })];
  const gInode = (path: string) => ssh(`stat -c %i ${GROOT}/releases/${path}`);
  const c = await box.play('configure', gitApp()); // installs git
  t.is(c.exitCode, 0, why(c));
  await push();
  const g1 = await box.play('deploy', gitApp(), { release: 'g1' });
  t.is(g1.exitCode, 0, why(g1));
  t.regex(await ssh(`cat ${GROOT}/releases/g1/.rb-static-inputs`), /^[0-9a-f]{16}$/, 'the fetch hashed the static inputs');

  const views = readFileSync(join(repo, 'pages/views.py'), 'utf8');
  commit('g2', { 'pages/views.py': `${views}\n# a view change\n` });
  await push();
  const g2 = await box.play('deploy', gitApp(), { release: 'g2' });
  t.is(g2.exitCode, 0, why(g2));
  t.is(await gInode(`g2/${CSS}`), await gInode(`g1/${CSS}`), 'a view is no static input: g1’s static files, hard-linked');

  commit('g3', { 'pages/static/css/site.css': `/* g3 */\n${readFileSync(join(repo, 'pages/static/css/site.css'), 'utf8')}` });
  await push();
  const g3 = await box.play('deploy', gitApp(), { release: 'g3' });
  t.is(g3.exitCode, 0, why(g3));
  t.not(await gInode(`g3/${CSS}`), await gInode(`g2/${CSS}`), 'collected anew');
  t.regex(await ssh(`head -n 1 ${GROOT}/releases/g3/${CSS}`), /g3/);
});
