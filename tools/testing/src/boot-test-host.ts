/**
 * Integration harness: one disposable Debian host (@runbook/testhosts), the plugins' configure phases run
 * through core's runPlaybook over SshConnection as `deploy`, and checks from outside (system ssh, fetch).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  configurePhases, runPlaybook, SshConnection, type Plugin, type RunEvent, type RunResult, type Secret, type SshTarget,
} from '@runbook/core';
import { up, type HostSet, type TestHost } from '@runbook/testhosts';

const run$ = promisify(execFile);

export interface Harness {
  hosts: HostSet;
  host: TestHost;
  configure(plugins: Plugin[], opts?: { check?: boolean; diff?: boolean; secrets?: Record<string, Secret>; env?: string }): Promise<Outcome>;
  /** a command on the host as root through the system ssh client; trimmed stdout (throws on failure) */
  ssh(cmd: string): Promise<string>;
  url(path: string): string;
  close(): Promise<void>;
}

export interface Outcome {
  result: RunResult;
  events: RunEvent[];
  changed: number;
  failed: number;
  tasks: Extract<RunEvent, { type: 'task' }>[];
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export async function boot(set: string): Promise<Harness> {
  const scratch = mkdtempSync(join(tmpdir(), `rb-${set}-`));
  const hosts = await up({ set, count: 1 });
  const host = hosts.hosts[0];
  const target: SshTarget = {
    alias: host.name, hostname: host.address, port: 22, user: 'deploy',
    identityFiles: [hosts.keyFile], identitiesOnly: true, knownHostsFiles: [hosts.knownHostsFile], strictHostKeyChecking: 'yes',
  };
  const knownHosts = join(scratch, 'known_hosts');
  return {
    hosts,
    host,
    async configure(plugins, opts = {}) {
      const events: RunEvent[] = [];
      const result = await runPlaybook({
        playbook: { name: 'configure', phases: configurePhases },
        context: {
          env: opts.env ?? 'test',
          config: { root: scratch, inventoryDir: scratch, playbookDir: scratch, secretsDir: scratch, knownHosts, vars: {}, plugins },
          secrets: opts.secrets ?? {},
        },
        hosts: [{ alias: host.name, hostname: host.name, user: 'deploy', groups: [], vars: {}, env: opts.env ?? 'test' }],
        connect: () => SshConnection.connect(target, { projectKnownHosts: knownHosts }),
        emit: (e) => events.push(e),
        check: opts.check,
        diff: opts.diff,
      });
      const r = result.recap[host.name];
      const tasks = events.filter((e): e is Extract<RunEvent, { type: 'task' }> => e.type === 'task');
      return { result, events, changed: r.changed, failed: r.failed, tasks };
    },
    async ssh(cmd) {
      const { stdout } = await run$('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', host.name, `sudo -n sh -c ${shq(cmd)}`], {
        timeout: 60_000, maxBuffer: 16 * 1024 * 1024,
      });
      return stdout.trim();
    },
    url: (path) => `http://${host.address}${path}`,
    async close() {
      await hosts.down();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Why a run did not go as expected: the failed and changed tasks. */
export const explain = (o: Outcome): string =>
  JSON.stringify(o.tasks.filter((t) => t.status !== 'ok').map((t) => ({ task: t.title, status: t.status, changes: t.changes, error: t.error?.message })), null, 1);

/**
 * Waits (up to 10 s) until `probe` holds: `systemctl reload nginx` returns once the signal is sent, and
 * the old workers may answer for a moment after that.
 */
export async function settle(probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await probe().catch(() => false)) return;
    await new Promise((res) => setTimeout(res, 250));
  }
}
