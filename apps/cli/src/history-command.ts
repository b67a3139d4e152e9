/**
 * `run history --env E [--limit N] [--json]`: the runs this machine recorded for the env. Deploys made
 * from another machine are not read from the hosts yet (their `.releases/*.json`).
 */
import { errors } from '@runbook/core';
import type { CliArgs } from './args.js';
import { formatHistory, historyEntry } from './history.js';
import { listRunFiles, readRunFile } from './run-files.js';

export function historyCommand(root: string, env: string, args: Pick<CliArgs, 'limit' | 'json'>, write = (s: string) => void process.stdout.write(s)): number {
  let limit = 20;
  if (args.limit !== undefined) {
    limit = Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) throw errors.usage(`run history --limit expects a number of runs ≥ 1, got "${args.limit}"`);
  }
  const entries = [];
  for (const path of listRunFiles(root)) {
    if (entries.length >= limit) break;
    const f = readRunFile(path);
    if (f?.header.env === env) entries.push(historyEntry(f));
  }
  if (args.json) for (const e of entries) write(JSON.stringify(e) + '\n');
  else write(formatHistory(entries) + '\n');
  return 0;
}
