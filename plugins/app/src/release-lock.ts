/**
 * `app.lock-release`: `run unlock` — releases the deploy lock whoever holds it, after saying whose it was
 * (who, since when, for which release, with which command). For a run that was killed (SIGKILL, a lost
 * control machine) before its own unlock could run. Where `current` points is left as it is and reported.
 */
import { changes, defineTask, noop, quote, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, lockDir, type AppState } from './app-state.js';
import { holderGone, lockHolder } from './deploy-lock.js';

export interface ReleaseLockOptions {
  /** the app root @example '/srv/shop' */
  root: string;
}

export const releaseLockType: TaskType<ReleaseLockOptions, { state: AppState }, { release: string }> = {
  name: 'app.lock-release',
  describe: (o) => lockDir(o.root),
  facts: (o) => ({ state: appStateFact(o.root) }),
  check({ state }, o) {
    const report = { release: currentRelease(state, o.root) ?? 'none' };
    if (!state.lock) return noop('no deploy lock', { ...report, lock: 'none' });
    const gone = holderGone(state.lock.info) ? ' (that run has ended)' : '';
    return changes([`release the deploy lock held by ${lockHolder(state)}${gone}`], {
      state: { release: state.lock.info?.release ?? '' },
      report: { ...report, lock: 'released' },
    });
  },
  apply(plan, o) {
    const l = quote(lockDir(o.root));
    const id = plan.state!.release;
    // only the lock that was read: a deploy that took a new one since is not undone
    const script = [
      `l=${l}`,
      id ? `grep -qF ${quote(`"release":${JSON.stringify(id)}`)} "$l/info" 2>/dev/null || { echo "the deploy lock $l changed since it was read: left alone" >&2; exit 1; }` : `[ ! -e "$l/info" ] || { echo "the deploy lock $l changed since it was read: left alone" >&2; exit 1; }`,
      `rm -rf -- "$l"`,
    ].join('\n');
    return [{ script, display: `rm -rf ${lockDir(o.root)}` }];
  },
};

/**
 * Releases the app's deploy lock whoever holds it (`run unlock`).
 * @example releaseLock({ root: '/srv/shop' })
 */
export const releaseLock = defineTask(releaseLockType);
