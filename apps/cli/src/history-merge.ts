/**
 * The hosts' audit merged into this machine's run list: the deploys and rollbacks every host of one run
 * recorded (same action, release and who) make one entry; an entry this machine also ran (same who and
 * playbook, recorded while its run file was open) is shown once, from the run file; the others were run
 * from another machine or project directory and are marked `source: 'hosts'`.
 */
import type { AuditEvent } from './host-audit.js';
import type { HistoryEntry } from './history.js';

/** the hosts' clocks and the control machine's may differ a little */
const SLACK_MS = 60_000;
/** a run file without an end (a killed run) covers at most this long */
const OPEN_RUN_MS = 3_600_000;

const worse = ['ok', 'rolled back', 'failed'];
const outcome = (e: AuditEvent) => (e.status === 'failed' ? 'failed' : e.action === 'rollback' ? 'rolled back' : 'ok');

/** One entry per (action, release, who), its time the earliest host's, its result per host. */
export function auditEntries(events: AuditEvent[]): HistoryEntry[] {
  const groups = new Map<string, AuditEvent[]>();
  for (const e of events) {
    const key = `${e.action}\t${e.release}\t${e.who}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].map((list) => {
    const first = list.reduce((a, b) => (Date.parse(b.time) < Date.parse(a.time) ? b : a));
    const hosts: Record<string, string> = {};
    // several apps of a host: the worst of their results
    for (const e of list) {
      const o = outcome(e);
      if (!hosts[e.host] || worse.indexOf(o) > worse.indexOf(hosts[e.host])) hosts[e.host] = o;
    }
    const rollback = first.action === 'rollback';
    return {
      source: 'hosts', startedAt: first.time, who: first.who, playbook: first.action, check: false,
      releases: rollback ? [] : [first.release], ...(rollback ? { rolledBack: [first.release] } : {}), hosts,
    } satisfies HistoryEntry;
  });
}

/** Whether the local run `l` is the run that recorded `r` on the hosts. */
function sameRun(l: HistoryEntry, r: HistoryEntry): boolean {
  if (l.source !== 'here' || l.check || l.who !== r.who || l.playbook !== r.playbook) return false;
  const start = Date.parse(l.startedAt);
  const end = l.endedAt ? Date.parse(l.endedAt) : start + OPEN_RUN_MS;
  const at = Date.parse(r.startedAt);
  return at >= start - SLACK_MS && at <= end + SLACK_MS;
}

/** Local and audit entries, newest first, each run once, at most `limit`. */
export function mergeHistory(local: HistoryEntry[], fromHosts: HistoryEntry[], limit: number): HistoryEntry[] {
  const merged = [...local];
  for (const r of fromHosts) {
    const mine = local.find((l) => sameRun(l, r));
    if (!mine) merged.push(r);
    // a rollback's run file names the release it went to; the hosts name the one it left
    else if (r.rolledBack && !mine.rolledBack) mine.rolledBack = r.rolledBack;
  }
  return merged.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt)).slice(0, limit);
}
