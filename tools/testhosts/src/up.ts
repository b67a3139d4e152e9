// Boot a set of hosts: clear leftovers, claim slots under the lock, then boot and wait in parallel.
import fs from 'node:fs';
import { MAX_SLOT, cachePaths, checkRelease, logFile, setFiles, statePaths, type Release } from './paths.js';
import { checkSet, hostName } from './names.js';
import { buildRootfs } from './rootfs.js';
import { withLock } from './lock.js';
import { clearStale } from './cleanup.js';
import { ensureBridge } from './net.js';
import { ensureProxy } from './proxy.js';
import { allocateSlots, readSlots, saveSlot, type SlotRecord } from './slots.js';
import { bootHost, prepareHost, stopContainers } from './host.js';
import { writeSetFiles } from './setfiles.js';
import { waitForSsh } from './wait.js';
import { isAlive, type PidRef } from './proc.js';
import { down } from './down.js';

export interface UpOptions {
  set?: string;
  count: number;
  /** The Debian release the hosts run; each release has its own cached rootfs. @default 'bookworm' */
  release?: Release;
  /**
   * Extra capabilities for the containers' root (systemd-nspawn `--capability=`), e.g. `['CAP_NET_ADMIN']`
   * for a firewall (ufw/iptables) inside the host. @default none
   */
  capabilities?: string[];
  /** Per-set ssh-ready deadline, default 120 s. */
  timeoutMs?: number;
  /** Progress lines (`local1 10.77.0.11 ssh-ready (+1.2s)`). */
  log?: (line: string) => void;
}

export interface TestHost { name: string; address: string; pid: number }

export interface HostSet {
  set: string;
  /** The Debian release the hosts run; up() always sets it (a HostSet put together by hand may not know it). */
  release?: Release;
  hosts: TestHost[];
  keyFile: string;
  knownHostsFile: string;
  sshConfigFile: string;
  down(): Promise<void>;
}

const INOTIFY = '/proc/sys/fs/inotify/max_user_instances';

/** Each systemd takes several inotify instances; the default 128 stops new hosts at ~23. */
export function raiseInotify(min = 2048): void {
  const cur = Number(fs.readFileSync(INOTIFY, 'utf8'));
  if (cur < min) fs.writeFileSync(INOTIFY, String(min));
}

async function pMap<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i]); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function tail(file: string, lines = 15): string {
  try { return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

export async function up(opts: UpOptions): Promise<HostSet & { release: Release }> {
  const set = checkSet(opts.set ?? 'local');
  const { count } = opts;
  const release = checkRelease(opts.release);
  const capabilities = opts.capabilities ?? [];
  for (const c of capabilities) if (!/^CAP_[A-Z_]+$/.test(c)) throw new Error(`capabilities: expected names like CAP_NET_ADMIN, got ${JSON.stringify(c)}`);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SLOT) throw new Error(`count must be 1..${MAX_SLOT}, got ${count}`);
  const log = opts.log ?? (() => {});
  await buildRootfs({ release, log });
  raiseInotify();
  // a re-up replaces the set: stop its containers first (outside the lock, it can take seconds)
  const mine = readSlots().filter((s) => s.record?.set === set).map((s) => s.record!.nspawn).filter((p): p is PidRef => !!p);
  await stopContainers(mine);
  const names = Array.from({ length: count }, (_, i) => hostName(set, i + 1));
  const recs: SlotRecord[] = await withLock(statePaths().lock, async () => {
    await clearStale();
    const busy = readSlots().filter((s) => s.record?.set === set);
    if (busy.length) throw new Error(`set ${set} is being brought up by another process (pid ${busy[0].record!.owner.pid})`);
    await ensureBridge();
    await ensureProxy();
    return allocateSlots(set, names);
  });
  const t0 = Date.now();
  try {
    const peers = recs.map((r) => ({ name: r.name, address: r.address }));
    await pMap(recs, 8, async (r) => {
      r.hostKey = await prepareHost(r, peers, cachePaths(release).rootfs);
      r.nspawn = await bootHost(r, { capabilities });
      saveSlot(r);
    });
    writeSetFiles(set, recs.map((r) => ({ name: r.name, address: r.address, hostKey: r.hostKey })));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const results = await Promise.allSettled(recs.map(async (r) => {
      try {
        await waitForSsh(r.address, { timeoutMs, stillRunning: () => isAlive(r.nspawn) });
      } catch (e) {
        throw new Error(`host ${r.name} (${r.address}): ${(e as Error).message}; log: ${logFile(r.name)}\n${tail(logFile(r.name))}`);
      }
      log(`${r.name} ${r.address} ssh-ready (+${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    }));
    const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed.length) throw new Error(`${failed.length} of ${count} hosts of set ${set} did not come up:\n` + failed.map((f) => f.reason.message).join('\n'));
  } catch (e) {
    await down({ set }).catch(() => {}); // leave nothing half-up; logs stay for the post-mortem
    throw e;
  }
  const f = setFiles(set);
  return {
    set,
    release,
    hosts: recs.map((r) => ({ name: r.name, address: r.address, pid: r.nspawn!.pid })),
    keyFile: cachePaths().key,
    knownHostsFile: f.knownHosts,
    sshConfigFile: f.sshConfig,
    down: () => down({ set }),
  };
}
