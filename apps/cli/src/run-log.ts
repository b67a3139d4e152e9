/**
 * The run file: every playbook run keeps its events under `<project>/.runbook/runs/<start>-<id>.ndjson`
 * — a header line (who, the project's commit, env, playbook, argv without -e values), the same masked
 * events the `--json` reporter writes, and a result line at the end (exit code, per-host recap). Lines
 * are appended as the run goes (synchronously: a run that is killed or exits at a second Ctrl-C still
 * has everything up to that moment). A file that cannot be written never fails the run: one warning.
 */
import { execFile } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { controlWho, mask, type EventSink, type HostRecap, type RunEvent } from '@runbook/core';
import { jsonReporter } from './reporters/json.js';

export const RUN_FILE_VERSION = 1;

export interface RunHeader {
  type: 'header';
  version: number;
  /** the file's name without `.ndjson`: `<start>-<id>` */
  run: string;
  startedAt: string;
  /** `user@hostname` of the control machine */
  who: string;
  /** `git rev-parse HEAD` in the project root, when it is a repository */
  commit?: string;
  env: string;
  playbook: string;
  hosts: string[];
  check: boolean;
  /** the command's arguments, `-e` values left out */
  argv: string[];
}

export interface RunResultLine {
  type: 'result';
  endedAt: string;
  ms: number;
  exitCode: number;
  /** the signal that stopped the run */
  interrupted?: string;
  aborted?: string;
  /** a run that ended by an error rather than a result */
  error?: string;
  hosts: Record<string, HostRecap>;
}

export type RunFileLine = RunHeader | RunResultLine | RunEvent;

export const runsDir = (root: string): string => join(root, '.runbook', 'runs');

/** `-e k=v`, `--extra-vars=k=v`, `-ek=v`: the value may be a secret, only its presence is kept. */
export function argvWithoutExtraValues(argv: string[]): string[] {
  return argv.map((a, i) =>
    /^(-e|--extra-vars)$/.test(argv[i - 1] ?? '') ? '…' : a.replace(/^(--extra-vars)=.*$/s, '$1=…').replace(/^-e(.+)$/s, '-e…'));
}

/** `user@hostname`, or RUNBOOK_WHO (core's controlWho) */
export const localWho = (): string => controlWho();

export const gitCommit = (dir: string): Promise<string | undefined> =>
  new Promise((res) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 5000 }, (err, stdout) => res(err ? undefined : stdout.trim() || undefined));
  });

/** `20261205T221226Z`: sorts by time as text */
export const compactTime = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export interface RunLog {
  /** the file, or undefined once writing failed */
  path(): string | undefined;
  /** receives masked events (put it behind `maskedSink`) */
  sink: EventSink;
  finish(r: { exitCode: number; interrupted?: string; aborted?: string; error?: string }): void;
}

export interface RunLogOptions {
  root: string;
  env: string;
  playbook: string;
  hosts: string[];
  check: boolean;
  argv: string[];
  commit?: string;
  who?: string;
  now?: () => Date;
  warn?: (s: string) => void;
}

export function openRunLog(o: RunLogOptions): RunLog {
  const now = o.now ?? (() => new Date());
  const warn = o.warn ?? ((s: string) => void process.stderr.write(s));
  const started = now();
  const run = `${compactTime(started)}-${randomBytes(3).toString('hex')}`;
  const dir = runsDir(o.root);
  const file = join(dir, `${run}.ndjson`);
  let fd: number | undefined;
  let failed = false;
  let recap: Record<string, HostRecap> = {};

  const fail = (e: unknown) => {
    if (!failed) warn(`run: warning: the run file ${file} cannot be written (${(e as Error).message}); the run goes on without it\n`);
    failed = true;
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    fd = undefined;
  };
  const writeText = (text: string) => {
    if (failed || fd === undefined) return;
    try {
      writeSync(fd, text + '\n');
    } catch (e) {
      fail(e);
    }
  };
  const write = (line: RunHeader | RunResultLine) => writeText(JSON.stringify(line));

  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    fd = openSync(file, 'a', 0o600);
  } catch (e) {
    fail(e);
  }
  const header: RunHeader = {
    type: 'header', version: RUN_FILE_VERSION, run, startedAt: started.toISOString(), who: o.who ?? localWho(),
    ...(o.commit ? { commit: o.commit } : {}),
    env: o.env, playbook: o.playbook, hosts: o.hosts, check: o.check,
    argv: argvWithoutExtraValues(o.argv).map((a) => mask(a)),
  };
  write(header);
  const events = jsonReporter(writeText);

  return {
    path: () => (failed ? undefined : file),
    sink: (e) => {
      if (e.type === 'recap') recap = e.hosts;
      // the very events `--json` prints, as objects
      events(e);
    },
    finish(r) {
      const end = now();
      const line: RunResultLine = {
        type: 'result', endedAt: end.toISOString(), ms: end.getTime() - started.getTime(), exitCode: r.exitCode,
        ...(r.interrupted ? { interrupted: r.interrupted } : {}),
        ...(r.aborted ? { aborted: mask(r.aborted) } : {}),
        ...(r.error ? { error: mask(r.error) } : {}),
        hosts: recap,
      };
      write(line);
      if (fd !== undefined) try { closeSync(fd); } catch { /* nothing left to lose */ }
      fd = undefined;
    },
  };
}
