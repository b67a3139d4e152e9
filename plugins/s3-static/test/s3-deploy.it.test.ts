/**
 * End to end on a real Debian test host (set its3deploy): app (apps/demo-django at HEAD) + gunicorn +
 * s3-static + nginx, configured twice (0 changed) and deployed; the page served by nginx links its CSS
 * (a ManifestStaticFilesStorage hashed name) to the bucket, and that URL serves the file with the long
 * cache header. nginx has no /static/ location. A second deploy uploads nothing. Fails (never skips)
 * when the host cannot boot.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { app } from '@runbook/app';
import {
  configurePhases, deployPhases, maskedSink, runPlaybook, secret, SshConnection, type PlaybookContext, type Phase, type Plugin, type RunEvent, type Secret,
} from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
import { boot, checkoutSet, explain, type Harness, type Outcome, settle } from '@runbook/testing';
import { s3Static } from '../src/index.js';
import { startS3, type S3Server } from './s3-server.js';

const repo = resolve(import.meta.dirname, '../../..');
const BUCKET = 'rb-deploy-static';
const KEY_ID = 'AKIA' + Math.random().toString(36).slice(2, 14).toUpperCase();
const KEY_SECRET = 'sentinel-' + Math.random().toString(36).slice(2);
const secrets = (): Record<string, Secret> => ({
  SECRET_KEY: secret('django-' + Math.random().toString(36).slice(2), 'SECRET_KEY'),
  AWS_STORAGE_BUCKET_NAME: secret(BUCKET, 'AWS_STORAGE_BUCKET_NAME'),
  AWS_ACCESS_KEY_ID: secret(KEY_ID, 'AWS_ACCESS_KEY_ID'),
  AWS_SECRET_ACCESS_KEY: secret(KEY_SECRET, 'AWS_SECRET_ACCESS_KEY'),
});

let h: Harness;
let s3: S3Server;
let scratch: string;
const allEvents: RunEvent[] = [];
const env = secrets();

const plugins = (): Plugin[] => [
  app({
    name: 'demo', source: { upload: { path: 'apps/demo-django' } }, wsgi: 'demo.wsgi:application',
    packages: ['python3-venv', 'python3-django'], env: { DATABASE_PATH: '/srv/demo/shared/db.sqlite3', STATIC_MANIFEST: '1' },
  }),
  gunicorn(),
  s3Static({
    path: 'apps/demo-django', command: ['/usr/bin/python3', 'manage.py', 'collectstatic', '--noinput'], env: { STATIC_MANIFEST: '1' },
    endpoint: s3.endpoint, forcePathStyle: true,
  }),
  nginx(),
];

async function run(name: 'configure' | 'deploy'): Promise<Outcome> {
  const { hosts, host } = h;
  const events: RunEvent[] = [];
  const context: PlaybookContext = {
    env: 'test', secrets: env,
    config: { root: repo, inventoryDir: scratch, playbookDir: scratch, secretsDir: scratch, knownHosts: join(scratch, 'known_hosts'), vars: {}, plugins: plugins() },
  };
  const result = await runPlaybook({
    playbook: { name, phases: (c): Promise<Phase[]> => (name === 'deploy' ? deployPhases(c) : configurePhases(c)) },
    context,
    hosts: [{ alias: host.name, hostname: host.name, user: 'deploy', groups: [], vars: {}, env: 'test' }],
    connect: () => SshConnection.connect({
      alias: host.name, hostname: host.address, port: 22, user: 'deploy', identityFiles: [hosts.keyFile], identitiesOnly: true,
      knownHostsFiles: [hosts.knownHostsFile], strictHostKeyChecking: 'yes',
    }, { projectKnownHosts: join(scratch, 'known_hosts') }),
    emit: maskedSink((e) => void events.push(e)),
  });
  allEvents.push(...events);
  const r = result.recap[host.name];
  const tasks = events.filter((e): e is Extract<RunEvent, { type: 'task' }> => e.type === 'task');
  return { result, events, changed: r.changed, failed: r.failed, tasks };
}

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rb-its3deploy-'));
  s3 = await startS3({ bucket: BUCKET, accessKeyId: KEY_ID, secretAccessKey: KEY_SECRET });
  h = await boot(checkoutSet('its3deploy'));
});
test.after.always(async () => {
  await h?.close();
  await s3?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test.serial('configure twice, deploy: the page links its CSS to the bucket, and the bucket serves it', async (t) => {
  const first = await run('configure');
  t.is(first.result.exitCode, 0, explain(first));
  const second = await run('configure');
  t.is(second.changed, 0, explain(second));
  t.regex(await h.ssh('cat /srv/demo/shared/.env'), new RegExp(`^STATIC_URL=${s3.endpoint}/${BUCKET}/static/$`, 'm'));
  t.is(await h.ssh("grep -c 'location /static/' /etc/nginx/sites-available/demo || true"), '0');

  const deployed = await run('deploy');
  t.is(deployed.result.exitCode, 0, explain(deployed));
  const sync = deployed.tasks.find((e) => e.task === 's3Static.sync')!;
  t.is(sync.status, 'changed');
  t.regex(sync.changes![0], /^s3:\/\/••••••\/static\/: uploaded 3, unchanged 0, deleted 0 \(5 S3 requests\)$/);

  let html = '';
  await settle(async () => (html = await fetch(h.url('/')).then((r) => r.text())).includes('Hello from demo-django'));
  const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
  t.regex(href ?? html, new RegExp(`^${s3.endpoint}/${BUCKET}/static/css/site\\.[0-9a-f]{12}\\.css$`));
  const cssFile = await fetch(href!);
  t.is(cssFile.status, 200);
  t.is(cssFile.headers.get('content-type'), 'text/css');
  t.is(cssFile.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.is((await cssFile.text()).trim(), await h.ssh(`cat /srv/demo/current/staticfiles/css/${href!.split('/').pop()}`));
});

test.serial('a second deploy uploads nothing (one S3 request)', async (t) => {
  const before = s3.log.length;
  const again = await run('deploy');
  t.is(again.result.exitCode, 0, explain(again));
  const sync = again.tasks.find((e) => e.task === 's3Static.sync')!;
  t.is(sync.status, 'ok');
  t.is(sync.reason, 's3://••••••/static/: uploaded 0, unchanged 3, deleted 0 (1 S3 request): in sync');
  t.is(s3.log.length - before, 1);
});

test.serial('no secret value in any event', (t) => {
  const text = JSON.stringify(allEvents);
  for (const v of [KEY_ID, KEY_SECRET, env.SECRET_KEY.reveal()]) t.false(text.includes(v), `${v.slice(0, 4)}… appears in the events`);
});
