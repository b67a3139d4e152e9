/**
 * The sync against a real S3 API (s3rver on loopback, behind a counting proxy), through the plugin's
 * deploy playbook: collectstatic of a copy of apps/demo-django on this machine, then the bucket. First
 * sync uploads all; the next uploads none with 1 request; one changed file is one upload; headers as
 * browsers see them; --check changes nothing; delete removes only vanished files; no secret in events.
 */
import test from 'ava';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deployPhases, LocalConnection, maskedSink, runPlaybook, secret, type RunEvent, type Secret } from '@runbook/core';
import { s3Static, type S3StaticOptions, type SyncProgress } from '../src/index.js';
import { startS3, type S3Server } from './s3-server.js';

const repo = resolve(import.meta.dirname, '../../..');
const BUCKET = 'rb-static';
const KEY_ID = 'AKIA' + Math.random().toString(36).slice(2, 14).toUpperCase();
const KEY_SECRET = 'sentinel-' + Math.random().toString(36).slice(2);
const DJANGO_KEY = 'django-' + Math.random().toString(36).slice(2);
// the names teams already use
const secrets = (): Record<string, Secret> => ({
  SECRET_KEY: secret(DJANGO_KEY, 'SECRET_KEY'),
  BUCKET_NAME: secret(BUCKET, 'BUCKET_NAME'),
  AWS_ACCESS_ID: secret(KEY_ID, 'AWS_ACCESS_ID'),
  AWS_ACCESS_SECRET: secret(KEY_SECRET, 'AWS_ACCESS_SECRET'),
});

let s3: S3Server;
let checkout: string;
const allEvents: RunEvent[] = [];
const css = () => join(checkout, 'pages/static/css/site.css');

test.before(async () => {
  s3 = await startS3({ bucket: BUCKET, accessKeyId: KEY_ID, secretAccessKey: KEY_SECRET });
  checkout = mkdtempSync(join(tmpdir(), 'rb-s3-demo-'));
  cpSync(join(repo, 'apps/demo-django'), checkout, { recursive: true, filter: (p) => !p.includes('__pycache__') });
  // a second plain file and a file with a content hash in its name
  writeFileSync(join(checkout, 'pages/static/css/print.css'), 'body { color: black; }\n');
  mkdirSync(join(checkout, 'pages/static/js'));
  writeFileSync(join(checkout, 'pages/static/js/app.0123456789ab.js'), 'console.log("hashed");\n');
});
test.after.always(async () => {
  await s3?.close();
  if (checkout) rmSync(checkout, { recursive: true, force: true });
});

interface Deploy {
  task: Extract<RunEvent, { type: 'task' }>;
  /** requests the S3 server received */
  requests: string[];
  progress: SyncProgress[];
}

async function deploy(options: S3StaticOptions = {}, opts: { check?: boolean; secrets?: Record<string, Secret> } = {}): Promise<Deploy> {
  const progress: SyncProgress[] = [];
  const plugin = s3Static({
    path: checkout, ref: false, command: ['/usr/bin/python3', 'manage.py', 'collectstatic', '--noinput'],
    endpoint: s3.endpoint, forcePathStyle: true, concurrency: 2, onProgress: (p) => progress.push(p), ...options,
  });
  const events: RunEvent[] = [];
  const before = s3.log.length;
  const config = { root: repo, inventoryDir: checkout, playbookDir: checkout, secretsDir: checkout, knownHosts: join(checkout, 'kh'), vars: {}, plugins: [plugin] };
  const result = await runPlaybook({
    playbook: { name: 'deploy', phases: (c) => deployPhases(c) },
    context: { env: 'test', config, secrets: opts.secrets ?? secrets() },
    hosts: [{ alias: 'control', hostname: 'localhost', user: 'root', groups: [], vars: {}, env: 'test' }],
    connect: async () => new LocalConnection('control'),
    emit: maskedSink((e) => void events.push(e)),
    check: opts.check,
  });
  allEvents.push(...events);
  const task = events.find((e): e is Deploy['task'] => e.type === 'task' && e.task === 's3Static.sync');
  if (!task || result.exitCode > 2) throw new Error(`deploy failed: ${JSON.stringify(events.filter((e) => e.type === 'task'))}`);
  return { task, requests: s3.log.slice(before), progress };
}

const url = (name: string) => `${s3.endpoint}/${BUCKET}/static/${name}`;
const get = (name: string) => fetch(url(name));

test.serial('first sync uploads every collected file', async (t) => {
  const d = await deploy();
  t.is(d.task.status, 'changed');
  t.deepEqual(d.task.changes, [
    `s3://${'••••••'}/static/: uploaded 3, unchanged 0, deleted 0 (5 S3 requests)`,
    'upload css/print.css', 'upload css/site.css', 'upload js/app.0123456789ab.js',
  ]);
  // manifest GET (404), 3 PUTs, the manifest PUT
  t.is(d.requests.length, 5);
  t.deepEqual(d.requests.filter((r) => r.startsWith('PUT')).length, 4);
  t.deepEqual(d.progress.map((p) => p.done), [1, 2, 3]);
  t.is(await (await get('css/site.css')).text(), readFileSync(css(), 'utf8'));
});

test.serial('a second sync with nothing changed uploads none: one request', async (t) => {
  const d = await deploy();
  t.is(d.task.status, 'ok');
  t.is(d.task.reason, 's3://••••••/static/: uploaded 0, unchanged 3, deleted 0 (1 S3 request): in sync');
  t.deepEqual(d.requests, [`GET /${BUCKET}/static/.runbook-static.json?x-id=GetObject`]);
});

test.serial('content types and cache headers as browsers get them', async (t) => {
  const plain = await fetch(url('css/site.css'), { method: 'HEAD' });
  t.is(plain.status, 200);
  t.is(plain.headers.get('content-type'), 'text/css');
  t.is(plain.headers.get('cache-control'), 'public, max-age=300');
  const hashed = await fetch(url('js/app.0123456789ab.js'), { method: 'HEAD' });
  t.is(hashed.headers.get('content-type'), 'text/javascript');
  t.is(hashed.headers.get('cache-control'), 'public, max-age=31536000, immutable');
});

test.serial('--check: a changed file is reported, nothing is uploaded', async (t) => {
  writeFileSync(css(), readFileSync(css(), 'utf8') + '\n/* v2 */\n');
  const d = await deploy({}, { check: true });
  t.is(d.task.status, 'changed');
  t.deepEqual(d.task.changes, ['s3://••••••/static/: would upload 1, unchanged 2, would delete 0 (1 S3 request)', 'upload css/site.css']);
  t.is(d.requests.length, 1);
  t.notRegex(await (await get('css/site.css')).text(), /v2/);
});

test.serial('one changed file: exactly one upload', async (t) => {
  const d = await deploy();
  t.deepEqual(d.task.changes, ['s3://••••••/static/: uploaded 1, unchanged 2, deleted 0 (3 S3 requests)', 'upload css/site.css']);
  t.deepEqual(d.requests.map((r) => r.split('?')[0]), [`GET /${BUCKET}/static/.runbook-static.json`, `PUT /${BUCKET}/static/css/site.css`, `PUT /${BUCKET}/static/.runbook-static.json`]);
  t.regex(await (await get('css/site.css')).text(), /v2/);
});

test.serial('a vanished file stays without delete; delete: true removes it (and only it)', async (t) => {
  unlinkSync(join(checkout, 'pages/static/css/print.css'));
  const kept = await deploy();
  t.is(kept.task.status, 'ok');
  t.is((await get('css/print.css')).status, 200);
  const removed = await deploy({ delete: true });
  t.deepEqual(removed.task.changes, ['s3://••••••/static/: uploaded 0, unchanged 2, deleted 1 (3 S3 requests)', 'delete css/print.css']);
  t.is((await get('css/print.css')).status, 404);
  t.is((await get('css/site.css')).status, 200);
  const again = await deploy({ delete: true });
  t.is(again.task.status, 'ok');
  t.is(again.requests.length, 1);
});

test.serial('missing credentials: an error naming the env and the keys tried, before any request', async (t) => {
  const before = s3.log.length;
  const { AWS_ACCESS_SECRET: _, ...rest } = secrets();
  await t.throwsAsync(deploy({}, { secrets: rest }), {
    message: '[s3-static.prepare] s3-static: no secret access key for env "test": add AWS_SECRET_ACCESS_KEY or AWS_ACCESS_SECRET to secrets/test.env (tried AWS_SECRET_ACCESS_KEY, AWS_ACCESS_SECRET)',
  });
  t.is(s3.log.length, before);
});

test.serial('an unknown key id: the S3 error, without the key', async (t) => {
  // s3rver checks key ids (not SigV4 signatures: unimplemented there)
  const wrong = 'AKIAWRONG' + KEY_ID.slice(4);
  const bad = { ...secrets(), AWS_ACCESS_ID: secret(wrong, 'AWS_ACCESS_ID') };
  const e = await t.throwsAsync(deploy({ force: true }, { secrets: bad }));
  t.regex(e!.message, /reading the manifest of s3:\/\/.*\/static\/ failed: InvalidAccessKeyId \(HTTP 403\)/);
  t.false(e!.message.includes(wrong));
});

test.serial('no secret value in any event', (t) => {
  t.true(allEvents.length > 0);
  const text = JSON.stringify(allEvents);
  for (const v of [KEY_ID, KEY_SECRET, DJANGO_KEY, BUCKET]) t.false(text.includes(v), `${v.slice(0, 4)}… appears in the events`);
});
