/**
 * `app.rescue`: after a failed deploy, put the host back as it was. Only when the deploy lock is this
 * run's (a deploy that failed to get the lock touches nothing): if this run switched `current` to the
 * new release, switch it back to where it pointed before (as recorded in the lock) and restart the
 * units that serve it; remove the release directory (a host holds whole, good releases only: a failed
 * one would keep its disk space, and a full disk is a common reason to be here), then mark the release
 * failed (after the removal, so a full disk has room for the record).
 */
import { changes, defineTask, noop, quote, type Command, type TaskType } from '@runbook/core';
import { restartUnitsScript } from '@runbook/system';
import { appStateFact, currentRelease, type AppState } from './app-state.js';
import { planRecord, recordScript } from './release-record.js';
import { switchScript } from './switch-current.js';

export interface RescueReleaseOptions {
  root: string;
  /** the release that failed */
  id: string;
  owner: string;
  group: string;
  /** systemd units restarted after switching back @example ['gunicorn.service'] */
  units: string[];
  who: string;
  time: string;
}

interface RescuePlan {
  /** switch back to this target ('' = remove current: there was none) */
  back?: string;
  from?: string;
  /** remove the release directory */
  remove?: boolean;
  record?: Exclude<ReturnType<typeof planRecord>, string>;
}

export function planRescue(state: AppState, o: RescueReleaseOptions): RescuePlan | string {
  if (state.lock?.info?.release !== o.id) {
    const holder = state.lock?.info ? `${state.lock.info.who} for ${state.lock.info.release}` : state.lock ? 'someone else' : 'nobody';
    return `the deploy lock is not this run's (held by ${holder}): nothing touched`;
  }
  const plan: RescuePlan = {};
  if (currentRelease(state, o.root) === o.id && state.lock.previous !== undefined) {
    plan.back = state.lock.previous;
    plan.from = state.current;
  }
  // never a release that was good before this run (a second deploy of its id), nor one that stays current
  const staysCurrent = currentRelease(state, o.root) === o.id && plan.back === undefined;
  if (state.releases.includes(o.id) && state.records[o.id]?.status !== 'ok' && !staysCurrent) plan.remove = true;
  const rec = planRecord(state, { ...o, status: 'failed', runId: o.id, action: 'deploy' });
  if (typeof rec !== 'string') plan.record = rec;
  return plan.back !== undefined || plan.remove || plan.record ? plan : 'nothing to undo';
}

export const rescueReleaseType: TaskType<RescueReleaseOptions, { state: AppState }, RescuePlan> = {
  name: 'app.rescue',
  describe: (o) => `undo release ${o.id}`,
  facts: (o) => ({ state: appStateFact(o.root, o.id) }),
  check({ state }, o) {
    const p = planRescue(state, o);
    if (typeof p === 'string') return noop(p);
    const list: string[] = [];
    if (p.back !== undefined) list.push(p.back ? `switch current back: ${p.from} → ${p.back}` : `remove current (there was none before ${o.id})`);
    if (p.back !== undefined && o.units.length) list.push(`restart ${o.units.join(', ')}`);
    if (p.remove) list.push(`remove release ${o.id}`);
    if (p.record) list.push(`record release ${o.id} as failed`);
    return changes(list, { state: p });
  },
  apply(plan, o) {
    const p = plan.state!;
    const cmds: Command[] = [];
    if (p.back) cmds.push(switchScript(o.root, p.from!, p.back, o.owner, o.group));
    else if (p.back === '') cmds.push({ script: `rm -f -- ${quote(`${o.root}/current`)}`, display: `rm ${o.root}/current` });
    if (p.back !== undefined && o.units.length) cmds.push({ script: restartUnitsScript(o.units), display: `systemctl restart ${o.units.join(' ')}` });
    if (p.remove) {
      const rel = `${o.root}/releases/${o.id}`;
      // re-tested: never the release current points at
      cmds.push({ script: `[ "$(readlink -- ${quote(`${o.root}/current`)} || :)" = ${quote(rel)} ] || rm -rf -- ${quote(rel)}`, display: `rm -rf ${rel}` });
    }
    if (p.record) cmds.push(recordScript(o.root, p.record));
    return cmds;
  },
};

/**
 * Undoes a failed deploy of this run: switch back, mark failed, restart.
 * @example rescueRelease({ root: '/srv/shop', id: '20261124T061100Z', owner: 'shop', group: 'shop', units: ['gunicorn.service'], who: 'ann@laptop', time: '2026-11-24T06:11:00Z' })
 */
export const rescueRelease = defineTask(rescueReleaseType);
