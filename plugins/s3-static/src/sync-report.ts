/**
 * `s3Static.sync`: the sync runs once per run on the control machine (the plugin's `prepare`); this task
 * puts its outcome into every host's deploy events — changed when the bucket changed (or would, under
 * --check), else ok with the counts as the reason. It reads no facts and runs nothing on the host.
 */
import { changes, defineTask, noop } from '@runbook/core';
import type { SyncResult } from './sync.js';

export interface SyncReportOptions {
  result: SyncResult;
}

const LISTED = 20;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summary(r: SyncResult): string {
  const verb = r.check ? 'would upload' : 'uploaded';
  const del = r.check ? 'would delete' : 'deleted';
  return `${r.location}: ${verb} ${r.uploaded.length}, unchanged ${r.unchanged}, ${del} ${r.deleted.length} (${plural(r.requests, 'S3 request')})`;
}

/** The summary first, then the names (the first 20 of each kind). */
export function changeLines(r: SyncResult): string[] {
  const names = [...r.uploaded.map((n) => `upload ${n}`), ...r.deleted.map((n) => `delete ${n}`)];
  const more = names.length - LISTED;
  return [summary(r), ...names.slice(0, LISTED), ...(more > 0 ? [`… and ${more} more`] : [])];
}

export const s3StaticSync = defineTask<SyncReportOptions, Record<string, never>, unknown>({
  name: 's3Static.sync',
  describe: (o) => `static files → ${o.result.location}`,
  facts: () => ({}),
  check: (_f, o) => (o.result.uploaded.length || o.result.deleted.length ? changes(changeLines(o.result)) : noop(`${summary(o.result)}: in sync`)),
  // the work was done on the control machine before any host was planned
  apply: () => [],
});
