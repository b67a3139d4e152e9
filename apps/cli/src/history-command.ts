/**
 * `run history --env E [--last N] [--limit PATTERN] [--local] [--json]`: the env's runs, newest first —
 * this machine's run files merged with what the hosts recorded of deploys and rollbacks (from any
 * machine). `--limit` selects the hosts read, as in every command; `--local` reads no host.
 */
import { errors } from '@runbook/core';
import type { CliArgs } from './args.js';
import type { AuditRead } from './host-audit.js';
import { formatHistory, historyEntry, type HistoryEntry } from './history.js';
import { auditEntries, mergeHistory } from './history-merge.js';
import { listRunFiles, readRunFile } from './run-files.js';

export type HistoryArgs = Pick<CliArgs, 'limit' | 'last' | 'local' | 'json'>;

/** the newest `limit` runs of the env in this project's run files */
export function localEntries(root: string, env: string, limit: number): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const path of listRunFiles(root)) {
    if (entries.length >= limit) break;
    const f = readRunFile(path);
    if (f?.header.env === env) entries.push(historyEntry(f));
  }
  return entries;
}

export function historyLimit(args: Pick<CliArgs, 'limit' | 'last'>): number {
  if (args.limit !== undefined && /^\d+$/.test(args.limit.trim())) {
    throw errors.usage(`run history --limit selects hosts, as in every command, got "${args.limit}"; the number of runs is --last ${args.limit.trim()}`);
  }
  if (args.last === undefined) return 20;
  const n = Number(args.last);
  if (!Number.isInteger(n) || n < 1) throw errors.usage(`run history --last expects a number of runs ≥ 1, got "${args.last}"`);
  return n;
}

/**
 * `readHosts` reads the hosts' audit (history-hosts.ts); it is not called under `--local`.
 * Exit 0 even when hosts could not be read: they are named below the list.
 */
export async function historyCommand(
  root: string, env: string, args: HistoryArgs, readHosts: () => Promise<AuditRead>, write = (s: string) => void process.stdout.write(s),
): Promise<number> {
  const limit = historyLimit(args);
  // a few more than shown: a run of the hosts' list is matched with its run file even near the cut
  const local = localEntries(root, env, limit + 5);
  const audit = args.local ? { events: [], unread: {} } : await readHosts();
  const entries = mergeHistory(local, auditEntries(audit.events), limit);
  if (args.json) {
    for (const e of entries) write(JSON.stringify(e) + '\n');
    if (Object.keys(audit.unread).length) write(JSON.stringify({ type: 'unread', hosts: audit.unread }) + '\n');
  } else write(formatHistory(entries, audit.unread) + '\n');
  return 0;
}
