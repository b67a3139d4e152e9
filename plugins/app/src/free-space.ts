/**
 * `app.space`: enough free space for a new release, checked before its code arrives, so a nearly full
 * disk fails the deploy early with a plain message instead of half way through a pip install (and
 * without filling the disk the live release needs). A new release is about the size of the current
 * one (code, venv, static files): the need is that size plus 10%, and at least `minFree`.
 * It changes nothing: all fact, read just before it runs (after the leftovers went).
 */
import { defineTask, noop, quote, RunbookError, type FactOutput, type TaskType } from '@runbook/core';

export interface FreeSpaceOptions {
  /** the releases directory (the nearest existing parent is measured on a fresh host) @example '/srv/shop/releases' */
  path: string;
  /** the live release, whose size estimates the next one's @example '/srv/shop/current' */
  current: string;
  /** the least free space a deploy needs, in KiB @example 524288 */
  minFreeKiB: number;
}

export interface SpaceFacts {
  /** KiB available to unprivileged users on the filesystem of `path` */
  availKiB: number;
  /** that filesystem's mount point */
  mount: string;
  /** KiB the current release takes (0: none) */
  currentKiB: number;
}

export function spaceCommand(o: FreeSpaceOptions): string {
  return [
    `p=${quote(o.path)}`,
    'while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done',
    `df -Pk -- "$p" | awk 'NR == 2 { print "df", $4, $6 }'`,
    // the current release's size: what the new one will roughly take (its venv and static files included)
    `if [ -d ${quote(`${o.current}/`)} ]; then du -sk -- ${quote(`${o.current}/`)} 2>/dev/null | awk '{ print "du", $1 }'; fi`,
    'exit 0',
  ].join('\n');
}

export function parseSpace(out: FactOutput): SpaceFacts {
  const df = /^df (\d+) (.+)$/m.exec(out.stdout);
  if (!df) throw new RunbookError('E_FACT', `cannot read the free space (df -Pk): ${out.stderr.trim() || out.stdout.trim() || `exit ${out.code}`}`);
  const du = /^du (\d+)$/m.exec(out.stdout);
  return { availKiB: Number(df[1]), mount: df[2], currentKiB: du ? Number(du[1]) : 0 };
}

export const mib = (kib: number): string => `${Math.ceil(kib / 1024)} MiB`;

/** Pure: the KiB a new release needs, and why. */
export function spaceNeeded(f: SpaceFacts, minFreeKiB: number): { kib: number; why: string } {
  const estimate = Math.ceil(f.currentKiB * 1.1);
  if (estimate > minFreeKiB) return { kib: estimate, why: `the current release takes ${mib(f.currentKiB)}, +10%` };
  return { kib: minFreeKiB, why: 'minFreeSpace' };
}

export const freeSpaceType: TaskType<FreeSpaceOptions, { space: SpaceFacts }> = {
  name: 'app.space',
  describe: (o) => `free space for a release in ${o.path}`,
  validate(o) {
    if (!Number.isInteger(o.minFreeKiB) || o.minFreeKiB < 0) throw new RunbookError('E_OPTIONS', `minFreeKiB: expected a whole number of KiB, got ${o.minFreeKiB}`);
  },
  facts: (o) => ({ space: { command: spaceCommand(o), parse: parseSpace } }),
  // its facts read the releases' filesystem: a removal of leftovers before it (tree:) is applied first and
  // the space read again after it; the lock is not
  touches: (o) => [`tree:${o.path}`],
  check({ space }, o) {
    const need = spaceNeeded(space, o.minFreeKiB);
    const where = `${o.path} (filesystem ${space.mount})`;
    if (space.availKiB < need.kib) {
      throw new RunbookError(
        'E_COMMAND',
        `not enough free space for a release on ${where}: ${mib(space.availKiB)} free, ${mib(need.kib)} needed (${need.why}); free some space (old releases: lower keep) or lower minFreeSpace`,
      );
    }
    return noop(`${mib(space.availKiB)} free on ${where}, ${mib(need.kib)} needed (${need.why})`);
  },
  apply: () => [],
};

/**
 * Fails unless the releases' filesystem has room for a new release.
 * @example freeSpace({ path: '/srv/shop/releases', current: '/srv/shop/current', minFreeKiB: 512 * 1024 })
 */
export const freeSpace = defineTask(freeSpaceType);
