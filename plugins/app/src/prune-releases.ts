/**
 * `app.prune`: keeps the newest `keep` good releases (recorded `ok`) and the current one; every other
 * release directory goes (failed, rolled back, incomplete, or just old). Records stay, as history.
 */
import { changes, defineTask, noop, quote, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, type AppState } from './app-state.js';

export interface PruneReleasesOptions {
  root: string;
  /** good releases to keep @example 5 */
  keep: number;
}

/** The release ids to remove, oldest first. */
export function releasesToPrune(state: AppState, root: string, keep: number): string[] {
  const current = currentRelease(state, root);
  const good = state.releases.filter((id) => state.records[id]?.status === 'ok').slice(-keep);
  const kept = new Set([...good, ...(current ? [current] : [])]);
  return state.releases.filter((id) => !kept.has(id));
}

export const pruneReleasesType: TaskType<PruneReleasesOptions, { state: AppState }, string[]> = {
  name: 'app.prune',
  describe: (o) => `${o.root}/releases (keep ${o.keep})`,
  facts: (o) => ({ state: appStateFact(o.root) }),
  check({ state }, o) {
    const gone = releasesToPrune(state, o.root, o.keep);
    if (gone.length === 0) return noop(`${state.releases.length} release(s), none to remove (keep ${o.keep} good + current)`);
    return changes([`remove release${gone.length > 1 ? 's' : ''} ${gone.join(', ')}`], { state: gone });
  },
  apply(plan, o) {
    const lines = [`r=${quote(o.root)}`, `cur=$(readlink -- "$r/current" || :)`];
    for (const id of plan.state!) {
      const rel = `${o.root}/releases/${id}`;
      // re-tested: never the release current points at
      lines.push(`[ "$cur" = ${quote(rel)} ] || rm -rf -- ${quote(rel)}`);
    }
    return [{ script: lines.join('\n'), display: `rm -rf ${plan.state!.map((id) => `releases/${id}`).join(' ')}` }];
  },
};

/**
 * Removes all but the newest `keep` good releases (never the current one).
 * @example pruneReleases({ root: '/srv/shop', keep: 5 })
 */
export const pruneReleases = defineTask(pruneReleasesType);
