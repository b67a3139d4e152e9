// Mount-table helpers: kernel state outlives processes, so cleanup reads /proc/mounts, not our records.
import fs from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';

/** Mount points from /proc/mounts (octal escapes decoded). */
export function mountPoints(): string[] {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[1].replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))));
}

export function mountsUnder(dir: string): string[] {
  const d = path.resolve(dir);
  return mountPoints()
    .filter((m) => m === d || m.startsWith(d + '/'))
    .sort((a, b) => b.length - a.length); // deepest first
}

/** Unmounts everything at or below dir (lazy as a last resort: a dying container may still hold it). */
export async function unmountUnder(dir: string): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    const ms = mountsUnder(dir);
    if (!ms.length) return;
    for (const m of ms) {
      const r = await $`umount ${m}`.nothrow().quiet();
      if (r.exitCode !== 0) await $`umount -l ${m}`.nothrow().quiet();
    }
  }
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`could not unmount: ${left.join(', ')}`);
}

/** rm -rf that never crosses into another file system (a stray bind mount of /dev, say). */
export async function removeTree(dir: string): Promise<void> {
  if (!fs.existsSync(dir)) return;
  await unmountUnder(dir);
  await $`rm -rf --one-file-system ${dir}`.quiet();
}
