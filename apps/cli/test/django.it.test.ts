/**
 * The Django stack end to end, as a team runs it: `run configure` and `run deploy` of apps/demo-django on
 * two real test hosts (app + gunicorn + nginx + basic-auth), checked from outside with HTTP; rollback; a
 * held lock; and the wall's password never printed.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostSet } from '@runbook/testhosts';
import { recap, repo, sshRoot, stackHosts, stackProject } from './helpers/stack.js';

const password = 'wall-' + Math.random().toString(36).slice(2);

const ssh = (command: string, host: string) => sshRoot(hosts, host, command);

const auth = () => ({ Authorization: 'Basic ' + Buffer.from(`wall-user:${password}`).toString('base64') });
/** The release the page shows, through nginx and the wall. */
async function servedRelease(address: string): Promise<string> {
  const html = await fetch(`http://${address}/`, { headers: auth() }).then((r) => r.text());
  return /<span id="release">([^<]*)</.exec(html)?.[1] ?? `no release in: ${html.slice(0, 200)}`;
}
const releasesOn = async (host: string) => (await ssh('ls /srv/demo/releases', host)).stdout.trim().split('\n');

/** A git checkout of apps/demo-django with one extra migration (after the demo's last) whose body is `code` (Python). */
async function demoWithMigration(name: string, code: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `rb-${name}-`));
  cpSync(join(repo, 'apps/demo-django'), dir, { recursive: true });
  writeFileSync(join(dir, `pages/migrations/0003_${name}.py`), [
    'import time',
    'from django.db import migrations',
    'def step(apps, schema_editor):',
    ...code.map((l) => `    ${l}`),
    'class Migration(migrations.Migration):',
    "    dependencies = [('pages', '0002_job')]",
    '    operations = [migrations.RunPython(step)]',
    '',
  ].join('\n'));
  for (const args of [['init', '-q'], ['add', '.'], ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', name]]) {
    await new Promise((res, rej) => execFile('git', args, { cwd: dir }, (e) => (e ? rej(e) : res(null))));
  }
  return dir;
}

let hosts: HostSet;
let project: ReturnType<typeof stackProject>;

test.before(async () => {
  hosts = await stackHosts('itdjango', 2);
  project = stackProject(hosts.set, `
import { app } from '@runbook/app';
import { basicAuth } from '@runbook/basic-auth';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
export default defineConfig({
  plugins: [
    app({ name: 'demo', source: { upload: { path: process.env.DEMO_APP_PATH ?? ${JSON.stringify(join(repo, 'apps/demo-django'))} } }, wsgi: 'demo.wsgi:application',
          packages: ['python3-venv', 'python3-django'], env: { DATABASE_PATH: '/srv/demo/shared/db.sqlite3' } }),
    gunicorn(),
    nginx({ extraConfig: process.env.NGINX_EXTRA ? [process.env.NGINX_EXTRA] : [] }),
    basicAuth({ envs: ['stg'] }),
  ],
});
`, `SECRET_KEY=stg-key-${password}\nAUTH_WALL_USERNAME=wall-user\nAUTH_WALL_PASSWORD=${password}\n`);
});
test.after.always(async () => {
  await hosts?.down();
});

const runs = (args: string[], env: Record<string, string> = {}) => project.run(args, env);

test.serial('configure provisions both hosts; the second configure changes nothing', async (t) => {
  const first = await runs(['configure', '--env', 'stg', '--json']);
  t.is(first.code, 0, first.stdout.slice(-3000) + first.stderr);
  const second = await runs(['configure', '--env', 'stg', '--json']);
  t.is(second.code, 0, second.stderr);
  for (const h of hosts.hosts) t.is(recap(second)[h.name].changed, 0, `${h.name}: 0 changed on the second configure`);
  const nginxTest = await ssh('nginx -t 2>&1', hosts.hosts[0].name);
  t.regex(nginxTest.stdout, /syntax is ok/);
});

let first = '';
test.serial('deploy ships the app: the page through nginx, the wall, the health check, static files', async (t) => {
  const r = await runs(['deploy', '--env', 'stg']);
  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  for (const h of hosts.hosts) {
    const release = await servedRelease(h.address);
    t.regex(release, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    first ||= release;
    t.is(release, first, 'the same release id on every host');
    t.is((await fetch(`http://${h.address}/`)).status, 401, 'the wall is up');
    t.is((await fetch(`http://${h.address}/`, { headers: { Authorization: 'Basic ' + Buffer.from('wall-user:wrong').toString('base64') } })).status, 401);
    const health = await fetch(`http://${h.address}/health/`);
    t.is(health.status, 200, 'the health check stays open');
    const css = await fetch(`http://${h.address}/static/css/site.css`, { headers: auth() });
    t.is(css.status, 200);
    t.regex(css.headers.get('content-type') ?? '', /text\/css/);
    // nginx serves it from the live release's staticfiles with its cache header; Django (DEBUG off) serves no static files
    t.regex(css.headers.get('cache-control') ?? '', /max-age=\d+/);
    t.truthy((await ssh('test -f /srv/demo/current/staticfiles/css/site.css && echo yes', h.name)).stdout.trim());
    // the migration ran: the page counts visits in the database
    const visits = async () => Number(/<span id="visits">(\d+)</.exec(await fetch(`http://${h.address}/`, { headers: auth() }).then((x) => x.text()))?.[1]);
    const v1 = await visits();
    t.is(await visits(), v1 + 1);
    t.is((await ssh('systemctl is-active gunicorn.socket gunicorn.service nginx', h.name)).stdout.trim().split('\n').join(' '), 'active active active');
    const env = await ssh('stat -c %a:%U /srv/demo/shared/.env', h.name);
    t.is(env.stdout.trim(), '600:demo');
  }
});

test.serial('configure right after a deploy changes nothing', async (t) => {
  const r = await runs(['configure', '--env', 'stg', '--json']);
  t.is(r.code, 0, r.stderr);
  for (const h of hosts.hosts) t.is(recap(r)[h.name].changed, 0, `${h.name}: 0 changed`);
});

test.serial('a second deploy serves the new release with no failed request; rollback goes back, --to forward again', async (t) => {
  await new Promise((r) => setTimeout(r, 1100)); // release ids sort by the second
  // a request loop through nginx for as long as the deploy runs
  let sent = 0;
  let failed = 0;
  let deploying = true;
  const loop = (async () => {
    while (deploying) {
      sent++;
      const ok = await fetch(`http://${hosts.hosts[0].address}/`, { headers: auth() }).then((x) => x.status === 200, () => false);
      if (!ok) failed++;
    }
  })();
  const r = await runs(['deploy', '--env', 'stg']);
  deploying = false;
  await loop;
  t.is(r.code, 0, r.stderr);
  t.log(`requests during the deploy: ${sent}, failed: ${failed}`);
  t.true(sent > 20, `the loop ran (${sent} requests)`);
  t.is(failed, 0);
  const second = await servedRelease(hosts.hosts[0].address);
  t.not(second, first);
  t.deepEqual(await releasesOn(hosts.hosts[0].name), [first, second]);

  const back = await runs(['rollback', '--env', 'stg']);
  t.is(back.code, 0, back.stdout.slice(-2000) + back.stderr);
  for (const h of hosts.hosts) t.is(await servedRelease(h.address), first);

  const forward = await runs(['rollback', '--env', 'stg', '--to', second]);
  t.is(forward.code, 0, forward.stderr);
  for (const h of hosts.hosts) t.is(await servedRelease(h.address), second);
});

test.serial('a broken commit (its migration fails) leaves the previous release serving, marked failed', async (t) => {
  const before = await servedRelease(hosts.hosts[0].address);
  const broken = await demoWithMigration('broken', ['raise RuntimeError("this migration is broken on purpose")']);
  await new Promise((r) => setTimeout(r, 1100));
  const r = await runs(['deploy', '--env', 'stg'], { DEMO_APP_PATH: broken });
  t.is(r.code, 1, r.stdout.slice(-2000));
  t.regex(r.stdout, /broken on purpose|migrate/);
  for (const h of hosts.hosts) {
    t.is(await servedRelease(h.address), before, `${h.name} still serves the previous release`);
    const records = (await ssh('cat /srv/demo/.releases/*.json', h.name)).stdout;
    t.regex(records, /"status":\s*"failed"/);
    t.is((await ssh('test -e /srv/demo/.deploy-lock && echo held || echo free', h.name)).stdout.trim(), 'free');
  }
});

test.serial('two deploys at once: the second fails on the lock, saying who holds it; nothing half-switched', async (t) => {
  await new Promise((r) => setTimeout(r, 1100));
  // the first deploy migrates slowly, so the second surely meets its lock
  const slow = await demoWithMigration('slow', ['time.sleep(8)']);
  const first = runs(['deploy', '--env', 'stg'], { DEMO_APP_PATH: slow });
  const locked = async () => (await Promise.all(hosts.hosts.map((h) => ssh('test -d /srv/demo/.deploy-lock && echo held', h.name)))).every((r) => r.stdout.trim() === 'held');
  for (let i = 0; i < 120 && !(await locked()); i++) await new Promise((r) => setTimeout(r, 250));
  const second = await runs(['deploy', '--env', 'stg']);
  const a = await first;
  t.is(a.code, 0, a.stdout.slice(-1500));
  t.is(second.code, 1);
  t.regex(second.stdout, /held by/, 'the second run names the lock holder');
  for (const h of hosts.hosts) {
    const release = await servedRelease(h.address);
    const record = (await ssh(`cat /srv/demo/.releases/${release}.json`, h.name)).stdout;
    t.regex(record, /"status":\s*"ok"/, `${h.name} serves a complete release`);
    t.is((await ssh('test -e /srv/demo/.deploy-lock && echo held || echo free', h.name)).stdout.trim(), 'free', 'no lock left behind');
  }
});

test.serial('a broken nginx option fails nginx -t, the previous file is restored, the site keeps serving', async (t) => {
  const before = (await ssh('sha256sum /etc/nginx/sites-available/demo', hosts.hosts[0].name)).stdout;
  const r = await runs(['configure', '--env', 'stg'], { NGINX_EXTRA: 'bogus_directive on;' });
  t.is(r.code, 1);
  t.regex(r.stdout, /bogus_directive/);
  t.is((await ssh('sha256sum /etc/nginx/sites-available/demo', hosts.hosts[0].name)).stdout, before);
  for (const h of hosts.hosts) t.regex(await servedRelease(h.address), /^\d{8}T/);
  const again = await runs(['configure', '--env', 'stg', '--json']);
  t.is(again.code, 0);
});

test.serial('a deploy against a lock held on one host: no host deploys, the message says who holds it and how to release it', async (t) => {
  const [locked, free] = hosts.hosts;
  const before = await servedRelease(locked.address);
  const beforeFree = await servedRelease(free.address);
  await ssh("mkdir /srv/demo/.deploy-lock && printf 'who=ann@laptop\\nsince=2026-11-24T06:00:00Z\\nrelease=r9\\ncommand=run deploy\\n' > /srv/demo/.deploy-lock/info", locked.name);
  await new Promise((r) => setTimeout(r, 1100));
  const r = await runs(['deploy', '--env', 'stg']);
  t.is(r.code, 1);
  t.regex(r.stdout, /held by|ann@laptop/);
  t.regex(r.stdout, new RegExp(`release it with: run unlock --env stg --limit ${locked.name}`));
  t.regex(r.stdout, /lock failed on .*: no host switches/);
  t.is(await servedRelease(locked.address), before, 'the locked host still serves its release');
  t.is(await servedRelease(free.address), beforeFree, 'the other host did not deploy either: the fleet stays on one release');
  t.is((await ssh('test -d /srv/demo/.deploy-lock && echo held', free.name)).stdout.trim(), '', 'the free host\'s lock was released');
  t.is((await ssh('test -d /srv/demo/.deploy-lock && echo held', locked.name)).stdout.trim(), 'held', 'someone else\'s lock is left alone');
  await ssh('rm -rf /srv/demo/.deploy-lock', locked.name);
});

test.serial('the wall password and the secret key never appear in any output', (t) => {
  t.true(project.outputs.length > 0);
  for (const out of project.outputs) t.false(out.includes(password), out.slice(0, 500));
});
