/**
 * Two apps on one host: apps/demo-django twice, as `api` and `admin`, each with gunicorn and nginx (own
 * user, root, units, .env, server block, release history). Configured, deployed, then one app deployed
 * again and rolled back without touching the other; checked from outside (HTTP with a Host header, the
 * host's systemd and files).
 */
import test from 'ava';
import { request } from 'node:http';
import { join } from 'node:path';
import { checkoutSet, type HostSet, up } from '@runbook/testhosts';
import { recap, repo, sshRoot, stackProject } from './helpers/stack.js';

const appConfig = (serverNames: [string, string]) => `
import { app } from '@runbook/app';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
const demo = (name: string) => app({
  name, source: { upload: { path: ${JSON.stringify(join(repo, 'apps/demo-django'))} } }, wsgi: 'demo.wsgi:application',
  packages: ['python3-venv', 'python3-django'], env: { DATABASE_PATH: \`/srv/\${name}/shared/db.sqlite3\` },
});
export default defineConfig({
  plugins: [
    demo('api'), gunicorn(), nginx({ serverNames: [${JSON.stringify(serverNames[0])}] }),
    demo('admin'), gunicorn(), nginx({ serverNames: [${JSON.stringify(serverNames[1])}] }),
  ],
});
`;

let hosts: HostSet;
let project: ReturnType<typeof stackProject>;
const host = () => hosts.hosts[0];
const ssh = async (command: string) => (await sshRoot(hosts, host().name, command)).stdout.trim();

/** GET through nginx on the host, for one server name. */
const get = (name: string, path = '/') => new Promise<{ status: number; body: string }>((ok, fail) => {
  const req = request({ host: host().address, port: 80, path, headers: { Host: name } }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => ok({ status: res.statusCode ?? 0, body }));
  });
  req.on('error', fail).end();
});
const page = async (name: string) => {
  const { status, body } = await get(name);
  const field = (id: string) => new RegExp(`<span id="${id}">([^<]*)<`).exec(body)?.[1] ?? `no ${id} in ${status}: ${body.slice(0, 200)}`;
  return { status, release: field('release'), visits: Number(field('visits')) };
};
/** What must not change when the other app is deployed or rolled back. */
const stateOf = async (app: string) => ({
  releases: await ssh(`ls /srv/${app}/releases`),
  records: await ssh(`cat /srv/${app}/.releases/*.json`),
  current: await ssh(`readlink /srv/${app}/current`),
  // the master and its workers: a restart changes the master, a HUP (the deploy's reload when the venv is unchanged) the workers
  gunicorn: await ssh(`u=gunicorn-${app}.service; systemctl show -p MainPID -p ActiveEnterTimestamp $u; ps -o pid= --ppid $(systemctl show -p MainPID --value $u) | sort -n`),
});

test.before(async () => {
  hosts = await up({ set: checkoutSet('ittwoapps'), count: 1 });
  project = stackProject(checkoutSet('ittwoapps'), appConfig(['api.test', 'admin.test']), 'SECRET_KEY=stg-two-apps-key\n');
});
test.after.always(async () => {
  await hosts?.down();
});

test.serial('configure sets up both apps side by side; the second configure changes nothing', async (t) => {
  const first = await project.run(['configure', '--env', 'stg', '--json']);
  t.is(first.code, 0, first.stdout.slice(-3000) + first.stderr);
  const second = await project.run(['configure', '--env', 'stg', '--json']);
  t.is(second.code, 0, second.stderr);
  t.is(recap(second)[host().name].changed, 0);
  t.is(await ssh('systemctl is-active gunicorn-api.socket gunicorn-admin.socket nginx | tr "\\n" " "'), 'active active active');
  t.is(await ssh('ls /etc/nginx/sites-enabled | tr "\\n" " "'), 'admin api');
  t.is(await ssh('test -e /etc/systemd/system/gunicorn.socket && echo shared || echo none'), 'none', 'no unit under the one-app name');
  t.is(await ssh('stat -c %U:%a /srv/api/shared/.env /srv/admin/shared/.env | tr "\\n" " "'), 'api:600 admin:600');
});

test.serial('each app has its own .env', async (t) => {
  const api = await ssh('cat /srv/api/shared/.env');
  const admin = await ssh('cat /srv/admin/shared/.env');
  t.not(api, admin);
  t.regex(api, /^DATABASE_PATH=\/srv\/api\/shared\/db\.sqlite3$/m);
  t.regex(admin, /^DATABASE_PATH=\/srv\/admin\/shared\/db\.sqlite3$/m);
  t.regex(admin, /^STATIC_ROOT=\/srv\/admin\/current\/staticfiles$/m);
});

let firstRelease = '';
test.serial('deploy ships both apps: each server name serves its own app, from its own database', async (t) => {
  const r = await project.run(['deploy', '--env', 'stg']);
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const api = await page('api.test');
  const admin = await page('admin.test');
  t.is(api.status, 200);
  t.is(admin.status, 200);
  t.regex(api.release, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  t.is(admin.release, api.release, 'one release id for the run');
  firstRelease = api.release;
  // each app counts its own visits: two databases, two apps
  await page('api.test');
  await page('api.test');
  t.is((await page('api.test')).visits, api.visits + 3);
  t.is((await page('admin.test')).visits, admin.visits + 1);
  t.is(await ssh('readlink /srv/api/current; readlink /srv/admin/current'), `/srv/api/releases/${firstRelease}\n/srv/admin/releases/${firstRelease}`);
  t.is(await ssh('systemctl is-active gunicorn-api.service gunicorn-admin.service | tr "\\n" " "'), 'active active');
  t.is((await get('admin.test', '/static/css/site.css')).status, 200, 'static files from the admin app\'s own release');
});

test.serial('configure right after the deploy changes nothing', async (t) => {
  const r = await project.run(['configure', '--env', 'stg', '--json']);
  t.is(r.code, 0, r.stderr);
  t.is(recap(r)[host().name].changed, 0);
});

test.serial('deploy and roll back one app (--tags api): the other keeps its releases, its current and its running gunicorn', async (t) => {
  const admin = await stateOf('admin');
  const apiBefore = await stateOf('api');
  await new Promise((r) => setTimeout(r, 1100)); // release ids sort by the second

  const deploy = await project.run(['deploy', '--env', 'stg', '--tags', 'api']);
  t.is(deploy.code, 0, deploy.stdout.slice(-3000) + deploy.stderr);
  const second = (await page('api.test')).release;
  t.not(second, firstRelease, 'api serves its new release');
  t.is((await page('admin.test')).release, firstRelease, 'admin still serves the first');
  t.deepEqual(await stateOf('admin'), admin, 'admin: releases, records, current and gunicorn untouched by the deploy');
  t.not((await stateOf('api')).gunicorn, apiBefore.gunicorn, 'api\'s gunicorn was reloaded: other workers (or another master)');

  const back = await project.run(['rollback', '--env', 'stg', '--tags', 'api']);
  t.is(back.code, 0, back.stdout.slice(-3000) + back.stderr);
  t.is((await page('api.test')).release, firstRelease, 'api is back on the first release');
  t.regex(await ssh(`cat /srv/api/.releases/${second}.json`), /"status":\s*"rolled-back"/);
  t.deepEqual(await stateOf('admin'), admin, 'admin: untouched by the rollback too');
  t.is(await ssh('ls -d /srv/api/.deploy-lock /srv/admin/.deploy-lock 2>/dev/null | wc -l'), '0', 'no lock left behind');
});

test.serial('two apps that would share a server block name on a host: exit 4 naming both, before anything connects', async (t) => {
  const clash = stackProject(checkoutSet('ittwoapps'), appConfig(['same.test', 'same.test']), 'SECRET_KEY=stg-clash-key\n');
  const r = await clash.run(['configure', '--env', 'stg']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.regex(r.stdout + r.stderr, /the apps "api" and "admin" both use server name same\.test/);
});
