/**
 * The four deployers of the deploy bench, each started as its own process and timed from spawn to exit:
 * Runbook (`run deploy`), Capistrano (`cap bench deploy`), Fabric (fabfile.py on Debian's python3-fabric)
 * and the plain ssh script. Their files are in ../plays/deploy-*.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostSet } from '@runbook/testhosts';
import { sh, timed, type Ran } from './proc.js';
import { SET } from './hosts.js';

export const TOOLS = ['runbook', 'capistrano', 'fabric', 'ssh'] as const;
export type ToolName = (typeof TOOLS)[number];

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const plays = path.resolve(import.meta.dirname, '../plays');
export const cliBin = path.join(repoRoot, 'apps/cli/dist/bin.js');

export interface DeployContext { hs: HostSet; repoUrl: string; runbookProject: string }
export type Deployed = Ran & { wall: number };

/** A Runbook project in a temp dir: the bench's config, the set's inventory (as `deploy`), a secrets file. */
export function runbookProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdep-rb-'));
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  fs.copyFileSync(path.join(plays, 'deploy-runbook/runbook.config.ts'), path.join(dir, 'runbook.config.ts'));
  fs.mkdirSync(path.join(dir, 'secrets'));
  fs.writeFileSync(path.join(dir, `secrets/${SET}.env`), '# not a secret: the bench\'s disposable hosts\nSECRET_KEY=bench-deploy-not-secret-5f1c0e9a7b\n');
  return dir;
}

export const runRunbook = (c: DeployContext, command: 'configure' | 'deploy'): Promise<Deployed> =>
  timed('node', [cliBin, command, '--env', SET, '--json', '--stats'],
    { cwd: c.runbookProject, env: { ...process.env, CI: 'true', BENCH_DEPLOY_REPO: c.repoUrl } });

const benchEnv = (c: DeployContext): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin', // Debian's ruby and python3 (with python3-fabric), not a pyenv shim
  BENCH_HOSTS: c.hs.hosts.map((h) => h.address).join(','),
  BENCH_KEY: (/IdentityFile (\S+)/.exec(fs.readFileSync(c.hs.sshConfigFile, 'utf8')) ?? [])[1],
  BENCH_KNOWN_HOSTS: c.hs.knownHostsFile,
  BENCH_REPO: c.repoUrl,
});

async function runCapistrano(c: DeployContext): Promise<Deployed> {
  // a copy per deploy: cap writes log/capistrano.log next to its Capfile
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdep-cap-'));
  fs.cpSync(path.join(plays, 'deploy-capistrano'), dir, { recursive: true });
  try {
    return await timed('cap', ['bench', 'deploy'], { cwd: dir, env: benchEnv(c) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function deployWith(tool: ToolName, c: DeployContext): Promise<Deployed> {
  switch (tool) {
    case 'runbook': return runRunbook(c, 'deploy');
    case 'capistrano': return runCapistrano(c);
    case 'fabric': return timed('python3', [path.join(plays, 'deploy-fabric/fabfile.py')], { cwd: os.tmpdir(), env: benchEnv(c) });
    case 'ssh': return timed('sh', [path.join(plays, 'deploy-ssh/deploy.sh'), c.hs.sshConfigFile, c.repoUrl, ...c.hs.hosts.map((h) => h.name)],
      { cwd: os.tmpdir(), env: benchEnv(c) });
  }
}

/** Each tool's program and version, checked before any host boots (a missing one: exit 4). */
export async function toolVersions(tools: readonly ToolName[]): Promise<Record<string, string>> {
  const v: Record<string, string> = { runbook: fs.existsSync(cliBin) ? 'apps/cli/dist' : '' };
  const env = { ...process.env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  if (tools.includes('capistrano')) v.capistrano = (await sh('cap', ['--version'], { env })).stdout.trim().replace(/\s*\(.*$/, '');
  if (tools.includes('fabric')) v.fabric = (await sh('python3', ['-c', 'import fabric, paramiko; print(f"Fabric {fabric.__version__}, paramiko {paramiko.__version__}")'], { env })).stdout.trim();
  if (tools.includes('ssh')) v.ssh = (await sh('ssh', ['-V'])).stderr.trim();
  return v;
}
