/**
 * What changed and what failed, per task across hosts: at 50 hosts a first run changes ~35 things on each,
 * and 1,750 lines per host and task would bury the one host that failed. Hosts that report the same
 * change (or the same error, or the same diff) share one line.
 */
import type { HostRecap, RunEvent } from '@runbook/core';

type TaskEvent = Extract<RunEvent, { type: 'task' }>;

export interface TaskSummaryLine {
  kind: 'changed' | 'failed';
  task: string;
  title: string;
  /** the change list or the error message these hosts share */
  detail: string;
  hosts: string[];
  diff?: string;
  stderr?: string;
}

/** Groups changed and failed task results by task (in first-seen order), then by identical detail. */
export function summarizeTasks(events: readonly TaskEvent[]): TaskSummaryLine[] {
  const byTask = new Map<string, Map<string, TaskSummaryLine>>();
  for (const e of events) {
    if (e.status !== 'changed' && e.status !== 'failed') continue;
    const title = `${e.handler ? 'handler ' : ''}${e.title}`;
    const detail = e.status === 'failed' ? e.error?.message ?? 'failed' : e.changes?.join('; ') ?? '';
    const taskKey = JSON.stringify([e.phase, e.block ?? '', e.task, title]);
    const variantKey = JSON.stringify([e.status, detail, e.diff ?? '', e.status === 'failed' ? e.error?.stderr ?? '' : '']);
    const variants = byTask.get(taskKey) ?? byTask.set(taskKey, new Map()).get(taskKey)!;
    const line = variants.get(variantKey);
    if (line) line.hosts.push(e.host);
    else {
      variants.set(variantKey, {
        kind: e.status, task: e.task, title, detail, hosts: [e.host],
        ...(e.diff ? { diff: e.diff } : {}), ...(e.status === 'failed' && e.error?.stderr ? { stderr: e.error.stderr } : {}),
      });
    }
  }
  return [...byTask.values()].flatMap((v) => [...v.values()]);
}

/** `all 50 hosts`, `web1, web2`, or `web1, web2, web3, web4, web5 +7 more`. */
export function hostList(hosts: readonly string[], total: number, max = 5): string {
  if (total > 1 && hosts.length === total) return `all ${total} hosts`;
  return hosts.length > max ? `${hosts.slice(0, max).join(', ')} +${hosts.length - max} more` : hosts.join(', ');
}

export interface RecapGroup {
  hosts: string[];
  /** `ok=3 changed=1 failed=0 skipped=0 unreachable=0` */
  counts: string;
  minMs: number;
  maxMs: number;
}

/** Hosts with the same recap counts share a line (the TTY view past a dozen hosts). */
export function groupRecap(hosts: Record<string, HostRecap>): RecapGroup[] {
  const groups = new Map<string, RecapGroup>();
  for (const [alias, r] of Object.entries(hosts)) {
    const counts = `ok=${r.ok}  changed=${r.changed}  failed=${r.failed}  skipped=${r.skipped}  unreachable=${r.unreachable ? 1 : 0}`;
    const g = groups.get(counts);
    if (g) {
      g.hosts.push(alias);
      g.minMs = Math.min(g.minMs, r.ms);
      g.maxMs = Math.max(g.maxMs, r.ms);
    } else groups.set(counts, { hosts: [alias], counts, minMs: r.ms, maxMs: r.ms });
  }
  return [...groups.values()];
}
