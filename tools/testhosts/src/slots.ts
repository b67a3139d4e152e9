// Address slots: one JSON record per slot, created with O_EXCL so two processes never share one.
// A record is written before any kernel state (mount, netns, veth) exists for it, so every
// leftover can be traced back to a record and cleared.
import fs from 'node:fs';
import path from 'node:path';
import { MAX_SLOT, slotNames, statePaths } from './paths.js';
import { isAlive, pidRef, type PidRef } from './proc.js';

export interface SlotRecord {
  slot: number;
  set: string;
  name: string;
  index: number;
  address: string;
  /** The process that allocated the slot (guards the slot until nspawn runs). */
  owner: PidRef;
  nspawn?: PidRef;
  /** The host's own cgroup directories (cgroup.ts), removed with it. */
  cgroups?: string[];
  hostKey?: string;
}

/** Lowest `count` slot numbers in 1..max not in `used`. */
export function pickFreeSlots(used: Iterable<number>, count: number, max = MAX_SLOT): number[] {
  const taken = new Set(used);
  const out: number[] = [];
  for (let n = 1; n <= max && out.length < count; n++) if (!taken.has(n)) out.push(n);
  if (out.length < count) throw new Error(`no free address slots: need ${count}, ${out.length} free of ${max}`);
  return out;
}

/** In use = its container runs, or (not booted yet) the process that allocated it still runs. */
export function isStale(r: SlotRecord | undefined): boolean {
  if (!r) return true;
  return r.nspawn ? !isAlive(r.nspawn) : !isAlive(r.owner);
}

const slotFile = (slot: number) => path.join(statePaths().slots, `${slot}.json`);

/** All records; an unreadable record (killed mid-write) comes back with only its slot number. */
export function readSlots(): Array<{ slot: number; record?: SlotRecord }> {
  const dir = statePaths().slots;
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => /^\d+\.json$/.test(f))
    .map((f) => {
      const slot = Number(f.slice(0, -5));
      try {
        return { slot, record: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SlotRecord };
      } catch {
        return { slot };
      }
    })
    .sort((a, b) => a.slot - b.slot);
}

/** Claims slots for names; O_EXCL ('wx') makes each claim atomic even without the global lock. */
export function allocateSlots(set: string, names: string[]): SlotRecord[] {
  fs.mkdirSync(statePaths().slots, { recursive: true });
  const out: SlotRecord[] = [];
  let used = readSlots().map((s) => s.slot);
  for (const [i, name] of names.entries()) {
    for (;;) {
      const [slot] = pickFreeSlots(used, 1);
      const rec: SlotRecord = { slot, set, name, index: i + 1, address: slotNames(slot).address, owner: pidRef(process.pid) };
      try {
        fs.writeFileSync(slotFile(slot), JSON.stringify(rec) + '\n', { flag: 'wx' });
        out.push(rec);
        used = [...used, slot];
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        used = [...used, slot];
      }
    }
  }
  return out;
}

/** Rewrites a record atomically (temp + rename). */
export function saveSlot(r: SlotRecord): void {
  const f = slotFile(r.slot);
  fs.writeFileSync(`${f}.tmp-${process.pid}`, JSON.stringify(r) + '\n');
  fs.renameSync(`${f}.tmp-${process.pid}`, f);
}

export function releaseSlot(slot: number): void {
  fs.rmSync(slotFile(slot), { force: true });
}
