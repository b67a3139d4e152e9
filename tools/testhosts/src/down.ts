// Stop hosts by their recorded pids only, then clear mounts, netns, veth and dirs.
import { statePaths, setFiles } from './paths.js';
import fs from 'node:fs';
import { checkSet } from './names.js';
import { withLock } from './lock.js';
import { readSlots, releaseSlot } from './slots.js';
import { clearHost, stopContainers } from './host.js';
import { clearStale } from './cleanup.js';
import { deleteBridge } from './net.js';
import { stopProxy } from './proxy.js';
import type { PidRef } from './proc.js';

export interface DownOptions {
  /** Only this set; without it (or with all) every set, the apt proxy and the bridge go. */
  set?: string;
  all?: boolean;
}

export async function down(opts: DownOptions = {}): Promise<void> {
  const all = opts.all || !opts.set;
  const set = all ? undefined : checkSet(opts.set!);
  const ours = () => readSlots().filter((s) => all || s.record?.set === set);
  const pids = () => ours().map((s) => s.record?.nspawn).filter((p): p is PidRef => !!p);
  await stopContainers(pids()); // outside the lock: the clean poweroff may take seconds
  if (!fs.existsSync(statePaths().dir)) return;
  await withLock(statePaths().lock, async () => {
    await stopContainers(pids(), 3000); // anything booted meanwhile (down all only)
    for (const s of ours()) {
      await clearHost(s.slot, s.record);
      releaseSlot(s.slot);
    }
    if (set) fs.rmSync(setFiles(set).dir, { recursive: true, force: true });
    if (all) {
      await clearStale({ everything: true });
      await stopProxy();
      await deleteBridge();
    }
  });
}
