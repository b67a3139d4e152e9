/**
 * `run history`: one line per run of an env, newest first — when, who, playbook, release, result per
 * host — from this machine's run files and the hosts' audit (history-merge.ts).
 */
import { basename } from 'node:path';
import type { HostRecap } from '@runbook/core';
import type { RunFile } from './run-files.js';

export interface HistoryEntry {
  /** `here`: this project's run file; `hosts`: only the hosts' audit knows it (run from another machine or directory) */
  source: 'here' | 'hosts';
  /** the run file's name (`source: 'here'`) */
  run?: string;
  startedAt: string;
  endedAt?: string;
  who: string;
  commit?: string;
  playbook: string;
  check: boolean;
  /** the release(s) the hosts were left with (`state.release` of the recap) */
  releases: string[];
  /** a rollback: the release(s) it left, as the hosts recorded */
  rolledBack?: string[];
  /** the run's exit code; unknown for `source: 'hosts'` */
  exitCode?: number;
  /** ok | changed | failed | unreachable | drift | unfinished, per host (from the hosts: ok | failed | rolled back) */
  hosts: Record<string, string>;
}

export function hostOutcome(r: HostRecap | undefined, check: boolean): string {
  if (!r) return 'unfinished';
  if (r.unreachable) return 'unreachable';
  if (r.failed) return 'failed';
  if (r.changed) return check ? 'drift' : 'changed';
  return 'ok';
}

export function historyEntry(f: RunFile): HistoryEntry {
  const h = f.header;
  const recap = f.result?.hosts ?? [...f.events].reverse().find((e) => e.type === 'recap')?.hosts ?? {};
  const releases = [...new Set(Object.values(recap).map((r) => r.state?.release).filter((x): x is string => Boolean(x)))];
  return {
    source: 'here', run: h.run, startedAt: h.startedAt, ...(f.result?.endedAt ? { endedAt: f.result.endedAt } : {}), who: h.who, ...(h.commit ? { commit: h.commit } : {}),
    playbook: /[/\\]/.test(h.playbook) ? basename(h.playbook) : h.playbook, check: h.check, releases,
    ...(f.result ? { exitCode: f.result.exitCode } : {}),
    hosts: Object.fromEntries(h.hosts.map((a) => [a, hostOutcome(recap[a], h.check)])),
  };
}

/** `ok: web-1, web-2; failed: web-3` — with many hosts, a count instead of the names of the usual outcome */
export function outcomeSummary(hosts: Record<string, string>, names = 4): string {
  const by = new Map<string, string[]>();
  for (const [alias, o] of Object.entries(hosts)) by.set(o, [...(by.get(o) ?? []), alias]);
  if (by.size === 0) return 'no hosts';
  return [...by].map(([o, list]) => `${o}: ${list.length > names ? `${list.length} hosts` : list.join(', ')}`).join('; ');
}

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');

const release = (e: HistoryEntry) =>
  [e.releases.join(','), e.rolledBack ? `(left ${e.rolledBack.join(',')})` : ''].filter(Boolean).join(' ') || '-';
const exit = (e: HistoryEntry) => (e.source === 'hosts' ? 'elsewhere' : e.exitCode === undefined ? 'interrupted' : `exit ${e.exitCode}`);

/** The table; `unread` (host → why) is named below it: those hosts' deploys from elsewhere may be missing. */
export function formatHistory(entries: HistoryEntry[], unread: Record<string, string> = {}): string {
  const notes = Object.entries(unread).map(([host, why]) => `not read: ${host}: ${why}`);
  if (entries.some((e) => e.source === 'hosts')) notes.unshift('elsewhere: read from the hosts (run from another machine or project directory; its exit code is not known)');
  if (!entries.length) return ['no runs recorded for this env yet', ...notes].join('\n');
  const rows = entries.map((e) => [
    when(e.startedAt), e.who, `${e.playbook}${e.check ? ' --check' : ''}`, release(e), exit(e), outcomeSummary(e.hosts),
  ]);
  const head = ['WHEN (UTC)', 'WHO', 'PLAYBOOK', 'RELEASE', 'EXIT', 'HOSTS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  ');
  return [line(head), ...rows.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
