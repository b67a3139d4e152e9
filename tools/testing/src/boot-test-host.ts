/**
 * Integration harness: disposable Debian hosts (@runbook/testhosts), the plugins' configure phases run
 * through core's runPlaybook over SshConnection as `deploy`, and checks from outside (system ssh, fetch).
 * `boot(set)` brings a set up (and down again on close); `attach(set)` uses a set that is already up
 * (`npm run hosts:up -- --set <set>`) and leaves it up.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  configurePhases, runPlaybook, SshConnection, type Plugin, type RunEvent, type RunResult, type Secret, type SshTarget,
} from '@runbook/core';
import { cacheDir, setFiles, status, up, type HostSet, type TestHost } from '@runbook/testhosts';

const run$ = promisify(execFile);

export interface ConfigureOptions {
  check?: boolean;
  diff?: boolean;
  secrets?: Record<string, Secret>;
  /** @default 'test' */
  env?: string;
  /** the host of the set to run on (by name) @default the first */
  host?: string;
  /**
   * Run on several hosts of the set at once, as one env (instead of `host`): each with its inventory
   * groups (its roles, for plugins' `on`) and the test host's address as its private address.
   * @example [{ host: 'itx1', groups: ['data'] }, { host: 'itx2', groups: ['web'] }]
   */
  fleet?: { host: string; groups?: string[] }[];
}

export interface Harness {
  hosts: HostSet;
  /** the first host of the set */
  host: TestHost;
  configure(plugins: Plugin[], opts?: ConfigureOptions): Promise<Outcome>;
  /** a command on the host as root through the system ssh client; trimmed stdout (throws on failure) */
  ssh(cmd: string, opts?: { host?: string }): Promise<string>;
  url(path: string, opts?: { host?: string }): string;
  /** boot: downs the set; attach: leaves it up. Removes the harness's scratch dir either way. */
  close(): Promise<void>;
}

export interface Outcome {
  result: RunResult;
  events: RunEvent[];
  /** summed over the run's hosts */
  changed: number;
  failed: number;
  tasks: Extract<RunEvent, { type: 'task' }>[];
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function harness(hosts: HostSet, owned: boolean): Harness {
  const scratch = mkdtempSync(join(tmpdir(), `rb-${hosts.set}-`));
  const knownHosts = join(scratch, 'known_hosts');
  const pick = (name?: string): TestHost => {
    const h = name === undefined ? hosts.hosts[0] : hosts.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name} in set ${hosts.set} (hosts: ${hosts.hosts.map((x) => x.name).join(', ')})`);
    return h;
  };
  return {
    hosts,
    host: hosts.hosts[0],
    async configure(plugins, opts = {}) {
      const env = opts.env ?? 'test';
      const members = opts.fleet ?? [{ host: pick(opts.host).name }];
      const hostsOf = members.map((m) => ({ test: pick(m.host), groups: m.groups }));
      const runHosts = hostsOf.map(({ test: h, groups }) => ({
        // port: what ctx.port tells plugins (a firewall keeps it open), the one target() connects on
        alias: h.name, hostname: h.name, user: 'deploy', port: 22, env,
        // a fleet's hosts reach each other on the test bridge; a single host keeps the harness's old shape
        ...(opts.fleet ? { groups: ['all', ...(groups ?? [])], vars: { privateAddress: h.address } } : { groups: [], vars: {} }),
      }));
      const target = (h: TestHost): SshTarget => ({
        alias: h.name, hostname: h.address, port: 22, user: 'deploy',
        identityFiles: [hosts.keyFile], identitiesOnly: true, knownHostsFiles: [hosts.knownHostsFile], strictHostKeyChecking: 'yes',
      });
      const events: RunEvent[] = [];
      const result = await runPlaybook({
        playbook: { name: 'configure', phases: configurePhases },
        context: {
          env,
          config: { root: scratch, inventoryDir: scratch, playbookDir: scratch, secretsDir: scratch, knownHosts, vars: {}, plugins },
          secrets: opts.secrets ?? {},
        },
        hosts: runHosts,
        connect: (h) => SshConnection.connect(target(pick(h.alias)), { projectKnownHosts: knownHosts }),
        emit: (e) => events.push(e),
        check: opts.check,
        diff: opts.diff,
      });
      const sum = (k: 'changed' | 'failed') => runHosts.reduce((n, h) => n + (result.recap[h.alias]?.[k] ?? 0), 0);
      const tasks = events.filter((e): e is Extract<RunEvent, { type: 'task' }> => e.type === 'task');
      return { result, events, changed: sum('changed'), failed: sum('failed'), tasks };
    },
    async ssh(cmd, opts = {}) {
      const { stdout } = await run$('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', pick(opts.host).name, `sudo -n sh -c ${shq(cmd)}`], {
        timeout: 60_000, maxBuffer: 16 * 1024 * 1024,
      });
      return stdout.trim();
    },
    url: (path, opts = {}) => `http://${pick(opts.host).address}${path}`,
    async close() {
      if (owned) await hosts.down();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export interface BootOptions {
  /** @default 1 */
  count?: number;
  /**
   * Extra capabilities for the hosts' root (systemd-nspawn `--capability=`): what a plugin needs beyond
   * a container's defaults, e.g. a firewall's netfilter rules.
   * @example ['CAP_NET_ADMIN']
   */
  capabilities?: string[];
}

/**
 * Boots a fresh set of `count` hosts (replacing a set of that name that is up); close() downs it. Name
 * the set with `checkoutSet('itmyplugin')` so another checkout on the machine running the same test
 * does not replace your hosts.
 */
export async function boot(set: string, opts: BootOptions = {}): Promise<Harness> {
  return harness(await up({ set, count: opts.count ?? 1, capabilities: opts.capabilities }), true);
}

/**
 * Attaches to a set that is already up (booted with `npm run hosts:up -- --set <set>` or by another
 * process): nothing is booted, and close() leaves the hosts running. Fails with the command to run when
 * the set is not up. Quicker for a test-edit loop; a host keeps what earlier runs left on it.
 */
export async function attach(set: string): Promise<Harness> {
  const f = setFiles(set);
  const hint = `boot it with: npm run hosts:up -- --set ${set} --count 1`;
  if (!existsSync(f.hostsJson)) throw new Error(`test host set ${set} is not up (no ${f.hostsJson}); ${hint}`);
  const entries = JSON.parse(readFileSync(f.hostsJson, 'utf8')) as { name: string; address: string }[];
  const running = (await status()).sets.find((s) => s.set === set)?.hosts ?? [];
  const hosts: TestHost[] = entries.map((e) => {
    const r = running.find((x) => x.name === e.name);
    if (!r?.running || r.pid === undefined) throw new Error(`test host ${e.name} of set ${set} is not running; ${hint}`);
    return { name: e.name, address: e.address, pid: r.pid };
  });
  const hostSet: HostSet = {
    set, hosts, keyFile: join(cacheDir(), 'id_ed25519'), knownHostsFile: f.knownHosts, sshConfigFile: f.sshConfig,
    down: async () => {},
  };
  return harness(hostSet, false);
}

/** Why a run did not go as expected: the failed and changed tasks. */
export const explain = (o: Outcome): string =>
  JSON.stringify(o.tasks.filter((t) => t.status !== 'ok').map((t) => ({ host: t.host, task: t.title, status: t.status, changes: t.changes, error: t.error?.message })), null, 1);

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
