/**
 * What a team does, end to end: in a copy of a small Django project that is not the demo (a git
 * repository, nothing of Runbook in it), `npm create runbook` from a local registry holding every
 * published package, then `make configure ENV=local` and `make deploy ENV=local` against one test host,
 * then the page through nginx. Timed from the bare repository to the served page.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanNpmEnv, publishAll, startRegistry, type Registry } from '@runbook/registry';
import { up, type HostSet } from '@runbook/testhosts';

const fixture = resolve(import.meta.dirname, 'fixtures/django-notes');
const SET = 'itcreatea';

interface Ran { code: number; stdout: string; stderr: string; seconds: number }
const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> => {
  const start = performance.now();
  return new Promise((res) => execFile(cmd, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
    res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, seconds: (performance.now() - start) / 1000 })));
};

let hosts: HostSet | undefined;
let registry: Registry | undefined;
test.after.always(async () => {
  await registry?.stop();
  await hosts?.down();
});

test('npm create runbook in a Django repository, then make configure and make deploy: the page is served through nginx', async (t) => {
  const setupStart = performance.now();
  [hosts, registry] = await Promise.all([up({ set: SET, count: 1 }), startRegistry()]);
  const published = await publishAll(registry.url);
  t.true(published.includes('create-runbook') && published.includes('@runbook/cli'), published.join(' '));
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const host = hosts.hosts[0];

  // the team's repository: the project and its history, nothing else
  const dir = mkdtempSync(join(tmpdir(), 'cr-it-'));
  cpSync(fixture, dir, { recursive: true });
  const env = cleanNpmEnv({ npm_config_registry: registry.url, npm_config_yes: 'true', CI: 'true' });
  for (const args of [['init', '-q'], ['add', '.'], ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'notes board']]) {
    t.is((await sh('git', args, dir, env)).code, 0);
  }

  const start = performance.now();
  const created = await sh('npm', ['create', 'runbook@latest', '--', '--yes', '--envs', 'local', '--hosts', `local=${host.name}`, '--ssh-config', hosts.sshConfigFile], dir, env);
  t.is(created.code, 0, created.stdout + created.stderr);
  t.regex(created.stdout, /a Django app in .* \(notes\.wsgi:application\)/);
  t.regex(created.stdout, /wrote +runbook\.config\.ts/);
  const key = /^SECRET_KEY=(\w+)$/m.exec(readFileSync(join(dir, 'secrets/local.env'), 'utf8'))![1];
  const configure = await sh('make', ['configure', 'ENV=local'], dir, env);
  t.is(configure.code, 0, configure.stdout + configure.stderr);
  const deploy = await sh('make', ['deploy', 'ENV=local'], dir, env);
  t.is(deploy.code, 0, deploy.stdout + deploy.stderr);
  const page = await fetch(`http://${host.address}/`);
  const html = await page.text();
  const total = (performance.now() - start) / 1000;
  t.is(page.status, 200);
  t.regex(html, /<h1>Notes board<\/h1>/);
  t.regex(html, /<li>first note<\/li>/, 'the model and its migration: a row written and read back');
  for (const out of [created, configure, deploy]) t.false(out.stdout.includes(key) || out.stderr.includes(key), 'the secret key never shows');

  // the second configure changes nothing: the generated project is an ordinary Runbook project
  const again = await sh('make', ['configure', 'ENV=local'], dir, env);
  t.is(again.code, 0);
  t.regex(again.stdout, /changed=0/);
  t.log(`registry + publish + host: ${setupSeconds.toFixed(1)} s; from the bare repository to the served page: ${total.toFixed(1)} s ` +
    `(npm create ${created.seconds.toFixed(1)} s, make configure ${configure.seconds.toFixed(1)} s, make deploy ${deploy.seconds.toFixed(1)} s)`);
});
