/** `run report [RUN]`: writes `.runbook/reports/<run>.html` from a run file (default: the newest) and prints its path. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errors } from '@runbook/core';
import { renderReport } from './report-html.js';
import { findRunFile, readRunFile } from './run-files.js';

export const reportsDir = (root: string): string => join(root, '.runbook', 'reports');

export function reportCommand(root: string, run: string | undefined, write = (s: string) => void process.stdout.write(s)): number {
  const path = findRunFile(root, run);
  const file = readRunFile(path);
  if (!file) throw errors.usage(`${path} is not a run file (no header line); run files are in ${join(root, '.runbook', 'runs')}`);
  const dir = reportsDir(root);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const out = join(dir, `${basename(path, '.ndjson')}.html`);
  writeFileSync(out, renderReport(file), { mode: 0o600 });
  write(out + '\n');
  return 0;
}
