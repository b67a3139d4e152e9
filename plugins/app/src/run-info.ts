/**
 * Who runs this deploy and as what: the control machine's `user@hostname`, the command line, the time,
 * and the id that marks this run's lock (the release id; `rollback-<time>` for a rollback). One value per
 * plugin context, so a host's deploy tasks and its `finallyDeploy` tasks agree on it.
 */
import { basename } from 'node:path';
import { controlWho, newReleaseId, type PluginContext } from '@runbook/core';

export interface RunInfo {
  /** marks the lock this run holds */
  id: string;
  /** `user@hostname` of the control machine, or RUNBOOK_WHO */
  who: string;
  /** ISO time the run was planned */
  time: string;
  /** the command line, e.g. `run deploy --env stg` (no -e values) */
  command: string;
  /** this process */
  pid: number;
}

const cache = new WeakMap<object, RunInfo>();

/** The command line, with the values of `-e` left out (they may carry secrets): `run deploy --env stg -e …`. */
export function commandLine(argv = process.argv): string {
  const [, script, ...args] = argv;
  const shown = args.map((a, i) => (/^(-e|--extra-vars)$/.test(args[i - 1] ?? '') ? '…' : a.replace(/^(-e|--extra-vars)=.*$/, '$1=…').replace(/^-e(.+)$/, '-e…')));
  return [script ? basename(script).replace(/\.(c|m)?[jt]s$/, '') : 'run', ...shown].join(' ').slice(0, 300);
}

export function runInfo(ctx: Pick<PluginContext, 'release'>): RunInfo {
  let info = cache.get(ctx);
  if (!info) {
    const now = new Date();
    info = {
      id: ctx.release?.id ?? `rollback-${newReleaseId(now)}`,
      who: controlWho(),
      time: now.toISOString(),
      command: commandLine(),
      pid: process.pid,
    };
    cache.set(ctx, info);
  }
  return info;
}
