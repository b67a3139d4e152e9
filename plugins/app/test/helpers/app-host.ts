/**
 * What the app plugin's integration tests share: one real test host driven through core's runPlaybook
 * as the non-root `deploy` user (the plugins' configure, deploy and rollback playbooks), every event
 * kept, and a root shell on the host for checks.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  configurePhases, deployPhases, rollbackPhases, runPlaybook, SshConnection,
  type Phase, type PlaybookContext, type Plugin, type RunEvent, type Secret, type SshTarget,
} from '@runbook/core';
import { inHost, up, type HostSet, type TestHost } from '@runbook/testhosts';

const run$ = promisify(execFile);

export type Kind = 'configure' | 'deploy' | 'rollback';
export type TaskEvent = Extract<RunEvent, { type: 'task' }>;
export interface Played {
  exitCode: number;
  changed: string[];
  failed: { task: string; message: string }[];
  tasks: TaskEvent[];
  events: RunEvent[];
}
/** A run's failures, for an assertion's message. */
export const why = (p: Played): string => JSON.stringify(p.failed);

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A scratch directory with apps/demo-django as committed, as a fresh git repo (`repo`, nothing committed yet): the upload source packs it with git archive. */
export function demoRepo(prefix: string): { scratch: string; repo: string } {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const repo = join(scratch, 'demo');
  execFileSync('sh', ['-c', `mkdir -p "$2" && git -C "$1" archive HEAD:apps/demo-django | tar -x -C "$2"`, 'sh', join(process.cwd(), '../..'), repo]);
  execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main']);
  return { scratch, repo };
}

export class AppHost {
  /** every event of every run, for the no-secret checks */
  readonly allEvents: RunEvent[] = [];
  hosts!: HostSet;
  host!: TestHost;

  /** secrets: the env's secrets of the next run (a test may change them between runs) */
  constructor(readonly set: string, readonly scratch: string, public secrets: Record<string, Secret>) {}

  /** Boots the one test host of the set; fails (never skips) when it cannot. */
  async up(): Promise<void> {
    this.hosts = await up({ set: this.set, count: 1 });
    this.host = this.hosts.hosts[0];
  }

  async down(): Promise<void> {
    await this.hosts?.down();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private connect = () => {
    const target: SshTarget = {
      alias: this.host.name, hostname: this.host.address, port: 22, user: 'deploy', identityFiles: [this.hosts.keyFile],
      identitiesOnly: true, knownHostsFiles: [this.hosts.knownHostsFile], strictHostKeyChecking: 'yes',
    };
    return SshConnection.connect(target, { projectKnownHosts: join(this.scratch, 'known_hosts') });
  };

  /** A built-in playbook of `plugins` on the host; `check` also asks for diffs. */
  async play(kind: Kind, plugins: Plugin[], opts: { release?: string; rollbackTo?: string; check?: boolean } = {}): Promise<Played> {
    const events: RunEvent[] = [];
    const s = this.scratch;
    const phases = (c: PlaybookContext): Promise<Phase[]> =>
      kind === 'configure' ? configurePhases(c) : kind === 'deploy' ? deployPhases(c, opts.release) : rollbackPhases(c);
    const r = await runPlaybook({
      playbook: { name: kind, phases },
      context: {
        env: 'test',
        config: { root: s, inventoryDir: s, secretsDir: s, playbookDir: s, knownHosts: join(s, 'known_hosts'), vars: {}, plugins },
        secrets: this.secrets,
        options: opts.rollbackTo ? { rollbackTo: opts.rollbackTo } : {},
      },
      hosts: [{ alias: this.host.name, hostname: this.host.name, user: 'deploy', groups: [], vars: {}, env: 'test' }],
      connect: this.connect,
      check: opts.check,
      diff: opts.check,
      emit: (e) => {
        events.push(e);
        this.allEvents.push(e);
      },
    });
    const tasks = events.filter((e): e is TaskEvent => e.type === 'task');
    return {
      exitCode: r.exitCode,
      changed: tasks.filter((e) => e.status === 'changed').map((e) => e.task),
      failed: tasks.filter((e) => e.status === 'failed').map((e) => ({ task: e.task, message: e.error?.message ?? '' })),
      tasks,
      events,
    };
  }

  /**
   * A command on the host through the system ssh client, as root; its trimmed stdout. A login that gets no
   * answer for a minute (seen once in CI, on a loaded machine, after a deploy's rescue) is tried once more,
   * after printing what the host was doing, read without ssh.
   */
  async ssh(cmd: string): Promise<string> {
    const args = ['-F', this.hosts.sshConfigFile, '-o', 'BatchMode=yes', this.host.name, `sudo -n sh -c ${shq(cmd)}`];
    try {
      return (await run$('ssh', args, { timeout: 60_000 })).stdout.trim();
    } catch (e) {
      if (!(e as { killed?: boolean }).killed) throw e;
      const seen = await inHost(this.host, 'uptime; systemctl list-jobs --no-pager; loginctl list-sessions --no-pager; ps -eo pid,stat,etime,args --forest | tail -40');
      console.error(`ssh ${this.host.name} ${cmd}: no answer in 60 s; the host:\n${seen.stdout}${seen.stderr}`);
      return (await run$('ssh', args, { timeout: 60_000 })).stdout.trim();
    }
  }
}
