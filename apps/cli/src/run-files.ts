/** Reading the run files `run-log.ts` writes: newest first, a cut-off last line (a killed run) ignored. */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { errors, type RunEvent } from '@runbook/core';
import { runsDir, type RunHeader, type RunResultLine } from './run-log.js';

export interface RunFile {
  path: string;
  header: RunHeader;
  events: RunEvent[];
  /** missing when the run was killed before its end */
  result?: RunResultLine;
}

export function parseRunFile(text: string, path: string): RunFile | undefined {
  let header: RunHeader | undefined;
  let result: RunResultLine | undefined;
  const events: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let o: { type?: string };
    try {
      o = JSON.parse(line) as { type?: string };
    } catch {
      continue; // the line a killed run was writing
    }
    if (o.type === 'header') header = o as RunHeader;
    else if (o.type === 'result') result = o as RunResultLine;
    else events.push(o as RunEvent);
  }
  return header ? { path, header, events, result } : undefined;
}

/** The run files' paths, newest first (names start with the start time). */
export function listRunFiles(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(runsDir(root));
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.ndjson')).sort().reverse().map((n) => join(runsDir(root), n));
}

export function readRunFile(path: string): RunFile | undefined {
  try {
    return parseRunFile(readFileSync(path, 'utf8'), path);
  } catch {
    return undefined;
  }
}

/** `RUN` as a path, a file name, a run name or the end of one (its id); none: the newest. */
export function findRunFile(root: string, run: string | undefined): string {
  const all = listRunFiles(root);
  if (run === undefined) {
    if (!all.length) throw errors.usage(`no runs recorded in ${runsDir(root)} yet: a playbook run records one`);
    return all[0];
  }
  if (isAbsolute(run) || run.includes('/')) return resolve(run);
  const name = run.replace(/\.ndjson$/, '');
  const hits = all.filter((p) => basename(p, '.ndjson') === name || basename(p, '.ndjson').endsWith(`-${name}`));
  if (hits.length !== 1) {
    throw errors.usage(`${hits.length ? 'several runs match' : 'no run matches'} "${run}" in ${runsDir(root)}; latest: ${all.slice(0, 3).map((p) => basename(p, '.ndjson')).join(', ') || '(none)'}`);
  }
  return hits[0];
}
