/**
 * `app.rollback`: `current` → an earlier release: the one asked for (`run rollback --to ID`), else the
 * newest good release (recorded `ok`) older than the current one. Switched atomically like a deploy,
 * recording the replaced target in the lock for the end of the rollback.
 */
import { changes, defineTask, noop, RunbookError, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, describeReleases, type AppState } from './app-state.js';
import { switchScript } from './switch-current.js';

export interface RollbackCurrentOptions {
  root: string;
  /** the release to switch to @default the last good release before the current one */
  to?: string;
  owner: string;
  group: string;
}

/** The release to roll back to, or an error that lists the releases there are. */
export function rollbackTarget(state: AppState, root: string, to?: string): string {
  const current = currentRelease(state, root);
  const list = `releases on this host: ${describeReleases(state, root)}`;
  if (to !== undefined) {
    if (!state.releases.includes(to)) throw new RunbookError('E_COMMAND', `cannot roll back to ${to}: no such release; ${list}`);
    return to;
  }
  if (!current) throw new RunbookError('E_COMMAND', `nothing to roll back: current points at no release; ${list}`);
  const earlier = state.releases.filter((id) => id < current && state.records[id]?.status === 'ok');
  if (earlier.length === 0) throw new RunbookError('E_COMMAND', `no good release before ${current} to roll back to; ${list} (choose one with --to)`);
  return earlier[earlier.length - 1];
}

export const rollbackCurrentType: TaskType<RollbackCurrentOptions, { state: AppState }, { from: string; to: string }> = {
  name: 'app.rollback',
  describe: (o) => `${o.root}/current → ${o.to ?? 'the previous good release'}`,
  facts: (o) => ({ state: appStateFact(o.root) }),
  check({ state }, o) {
    const to = rollbackTarget(state, o.root, o.to);
    const target = `${o.root}/releases/${to}`;
    if (currentRelease(state, o.root) === to) return noop(`current → ${target}`);
    return changes([`roll back current: ${state.current ?? '(none)'} → ${target}`], { state: { from: state.current ?? '', to: target } });
  },
  apply: (plan, o) => [switchScript(o.root, plan.state!.from, plan.state!.to, o.owner, o.group)],
};

/**
 * Switches `current` back to an earlier release.
 * @example rollbackCurrent({ root: '/srv/shop', to: '20261120T101500Z', owner: 'shop', group: 'shop' })
 */
export const rollbackCurrent = defineTask(rollbackCurrentType);
