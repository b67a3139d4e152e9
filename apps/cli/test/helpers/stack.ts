/**
 * What the stack tests (django.it, flask.it, django-celery.it) share: the `run` binary in a project of
 * their own against a test-host set, root commands on those hosts, and a stand-in Dragonfly release.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BRIDGE_ADDRESS, DEFAULT_RELEASE, checkRelease, checkoutSet, up, writeInventory, type HostSet } from '@runbook/testhosts';
import type { HostRecap } from '@runbook/core';

export const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'apps/cli/dist/bin.js');

/**
 * The Debian release the stack tests boot: `RUNBOOK_TEST_RELEASE` (default bookworm). `npm test` runs
 * django.it and flask.it a second time with trixie (apps/cli's `test:trixie`).
 */
export const testRelease = checkRelease(process.env.RUNBOOK_TEST_RELEASE || undefined);

/**
 * The test file's host set on the release under test, of this checkout (checkoutSet). Another release's
 * run of the same file gets a set of its own (`itdjango-trixie-…`), so both can be up at once.
 */
export async function stackHosts(set: string, count: number): Promise<HostSet> {
  const hosts = await up({ set: checkoutSet(testRelease === DEFAULT_RELEASE ? set : `${set}-${testRelease}`), count, release: testRelease });
  // the hosts say which release they run (a test that passes on the wrong release proves nothing)
  for (const h of hosts.hosts) {
    const r = await sshRoot(hosts, h.name, '. /etc/os-release && echo "$VERSION_CODENAME"');
    if (r.stdout.trim() !== testRelease) throw new Error(`${h.name} runs ${JSON.stringify(r.stdout.trim())}, not ${testRelease}: ${r.stderr}`);
  }
  return hosts;
}

export interface Run { code: number; stdout: string; stderr: string; seconds: number }

/** `run …` in `cwd`, as CI runs it (plain output), timed. */
export function runCli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const start = performance.now();
  return new Promise((res) => execFile('node', [bin, ...args], { cwd, env: { ...process.env, CI: 'true', ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
    res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, seconds: (performance.now() - start) / 1000 })));
}

/**
 * The config line of apps/demo-django with its sqlite file in shared/ (each host its own database), as
 * most stack tests deploy it.
 */
export const demoDjangoApp = `app({ name: 'demo', source: { upload: { path: ${JSON.stringify(join(repo, 'apps/demo-django'))} } }, wsgi: 'demo.wsgi:application',
          packages: ['python3-venv', 'python3-django'], env: { DATABASE_PATH: '/srv/demo/shared/db.sqlite3' } })`;

/** The per-host recap of a `--json` run (its last line). */
export const recap = (r: Run) => JSON.parse(r.stdout.trim().split('\n').pop()!).hosts as Record<string, HostRecap>;

/** A command as root on a host of the set. */
export const sshRoot = (hosts: HostSet, host: string, command: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) => execFile('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', `root@${host}`, command], (err, stdout, stderr) =>
    res({ code: err ? 1 : 0, stdout, stderr })));

/**
 * A project of the set's hosts as env `stg`: the repo's node_modules, `config` as runbook.config.ts,
 * inventories/stg.yml and `secrets` as secrets/stg.env. Its `run` keeps every output, for the tests
 * that no secret ever shows.
 */
export function stackProject(set: string, config: string, secrets: string) {
  const dir = mkdtempSync(join(tmpdir(), `rb-${set}-`));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'runbook.config.ts'), config);
  writeInventory(set, join(dir, 'inventories/stg.yml'), { user: 'deploy' });
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets/stg.env'), secrets);
  const outputs: string[] = [];
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli(dir, args, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  return { dir, outputs, run };
}

/**
 * This machine cannot download Dragonfly: its "release" is Debian's redis-server (a Redis-protocol
 * server) served over HTTP on the test bridge, with its real sha256. Start it once a host set is up
 * (the bridge exists only then).
 */
export async function dragonflyRelease(): Promise<{ url: string; sha256: string; close(): Promise<void> }> {
  const binary = readFileSync('/usr/bin/redis-server');
  const server = createServer((req, res) => (req.url === '/v1.27.1/dragonfly-x86_64' ? res.end(binary) : res.writeHead(404).end()));
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, BRIDGE_ADDRESS, ok));
  return {
    url: `http://${BRIDGE_ADDRESS}:${(server.address() as AddressInfo).port}/v1.27.1/dragonfly-x86_64`,
    sha256: createHash('sha256').update(binary).digest('hex'),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
