/**
 * `app.record`: the record of a release (`<root>/.releases/<id>.json`, one line of JSON, replaced
 * atomically) with its status, and an audit line appended to `<root>/deploy.log`. The record is computed
 * from the one read as a fact, so a status change keeps when and by whom the release was deployed.
 */
import { changes, defineTask, noop, quote, type Command, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, recordLine, recordsDir, type AppState, type ReleaseRecord } from './app-state.js';

export interface ReleaseRecordOptions {
  root: string;
  /** the release to record; unset with `previous` */
  id?: string;
  /** record the release `current` pointed at before this run switched it (read from the lock) */
  previous?: boolean;
  status: ReleaseRecord['status'];
  /** this run's lock id: with `previous`, nothing is recorded unless the lock is this run's */
  runId: string;
  who: string;
  time: string;
  /** what happened, for the audit line @example 'deploy' */
  action: string;
}

interface RecordPlan {
  record: ReleaseRecord;
  log: string;
}

/** The new record and audit line for a release, or why nothing is to be written. */
export function planRecord(state: AppState, o: ReleaseRecordOptions): RecordPlan | string {
  let id = o.id;
  if (o.previous) {
    if (state.lock?.info?.release !== o.runId) return 'the deploy lock is not this run’s: nothing recorded';
    if (state.lock.previous === undefined) return 'current was not switched by this run';
    id = currentRelease({ ...state, current: state.lock.previous }, o.root);
    if (!id) return 'there was no release before this run';
  }
  if (!id) return 'no release';
  const old = state.records[id];
  if (old?.status === o.status) return `release ${id} is recorded as ${o.status}`;
  const record: ReleaseRecord = old
    ? { ...old, status: o.status, statusAt: o.time, statusBy: o.who }
    : { id, commit: o.id === id ? state.revision : undefined, status: o.status, deployedAt: o.time, deployedBy: o.who };
  if (!record.commit) delete record.commit;
  const log = [o.time, o.who, o.action, id, o.status, record.commit ? `commit=${record.commit}` : ''].filter(Boolean).join(' ');
  return { record, log };
}

export function recordScript(root: string, p: RecordPlan): Command {
  const dir = recordsDir(root);
  const script = [
    `d=${quote(dir)}`,
    `mkdir -p -- "$d"`,
    `tmp=$(mktemp "$d/.rb.XXXXXX")`,
    `trap 'rm -f -- "$tmp"' EXIT`,
    `printf '%s\\n' ${quote(recordLine(p.record))} > "$tmp"`,
    `chmod 0644 -- "$tmp"`,
    `mv -f -- "$tmp" "$d/"${quote(`${p.record.id}.json`)}`,
    `printf '%s\\n' ${quote(p.log)} >> ${quote(`${root}/deploy.log`)}`,
  ].join('\n');
  return { script, display: `record release ${p.record.id} ${p.record.status}` };
}

export const releaseRecordType: TaskType<ReleaseRecordOptions, { state: AppState }, RecordPlan> = {
  name: 'app.record',
  describe: (o) => `${o.previous ? 'previous release' : `release ${o.id}`} ${o.status}`,
  facts: (o) => ({ state: appStateFact(o.root, o.id) }),
  check({ state }, o) {
    const p = planRecord(state, o);
    if (typeof p === 'string') return noop(p);
    return changes([`record release ${p.record.id} as ${p.record.status}`], { state: p });
  },
  apply: (plan, o) => [recordScript(o.root, plan.state!)],
};

/**
 * Records a release's status (`.releases/<id>.json`) and appends an audit line to `deploy.log`.
 * @example releaseRecord({ root: '/srv/shop', id: '20261124T061100Z', status: 'ok', runId: '20261124T061100Z', who: 'ann@laptop', time: '2026-11-24T06:11:00Z', action: 'deploy' })
 */
export const releaseRecord = defineTask(releaseRecordType);
