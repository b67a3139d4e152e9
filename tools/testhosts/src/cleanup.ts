// Clears what dead runs left behind. Call only under the global lock (see up/down).
import fs from 'node:fs';
import path from 'node:path';
import { statePaths, setFiles } from './paths.js';
import { isStale, readSlots, releaseSlot } from './slots.js';
import { clearHost } from './host.js';
import { deleteHostNet, listOurNet } from './net.js';
import { removeTree } from './mounts.js';

/** Returns the names (or slot numbers) it cleared. */
export async function clearStale(opts: { everything?: boolean } = {}): Promise<string[]> {
  const cleared: string[] = [];
  for (const s of readSlots()) {
    if (!opts.everything && !isStale(s.record)) continue;
    await clearHost(s.slot, s.record);
    releaseSlot(s.slot);
    cleared.push(s.record?.name ?? `slot ${s.slot}`);
  }
  const live = readSlots();
  const slots = new Set(live.map((s) => s.slot));
  const names = new Set(live.map((s) => s.record?.name));
  // kernel objects and dirs that no record accounts for (e.g. a record removed by hand)
  const net = await listOurNet();
  for (const n of new Set([...net.netns, ...net.veth])) if (!slots.has(n)) await deleteHostNet(n);
  const hostsDir = statePaths().hosts;
  if (fs.existsSync(hostsDir)) {
    for (const n of fs.readdirSync(hostsDir)) if (!names.has(n)) await removeTree(path.join(hostsDir, n));
  }
  const sets = new Set(live.map((s) => s.record?.set));
  const setsDir = statePaths().sets;
  if (fs.existsSync(setsDir)) {
    for (const s of fs.readdirSync(setsDir)) if (!sets.has(s)) fs.rmSync(setFiles(s).dir, { recursive: true, force: true });
  }
  return cleared;
}
