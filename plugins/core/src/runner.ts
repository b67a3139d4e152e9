/**
 * The run: hosts in parallel (bounded by forks, batched by --serial), tasks within a host strictly in
 * order, handlers once at the end of each phase. A failed task stops that host only; an unreachable host
 * is reported as such; --max-fail stops the whole run past a share of failed hosts.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from './connection.js';
import { ExitCode, RunbookError, toRunbookError, type ErrorDetails } from './errors.js';
import { batches, parseMaxFail, pool } from './batches.js';
import { addStats, errorInfo, newRecap, type EventSink, type HostRecap } from './events.js';
import { fleetOf } from './fleet.js';
import type { HostInfo, Phase, Playbook, PlaybookContext, Stage } from './playbook.js';
import { runFleet } from './run-fleet.js';
import type { HostRunContext } from './run-task.js';
import { taskLists, type RunList } from './task-lists.js';
import type { Task } from './task.js';
import { userCodeError } from './user-code-error.js';

export interface RunHost extends HostInfo {
  /** inventory default for become */
  become?: boolean;
}

export interface RunOptions {
  playbook: Playbook;
  context: PlaybookContext;
  hosts: RunHost[];
  connect(host: RunHost): Promise<Connection>;
  /** called once every host's tasks are built, before the first connect (the CLI's logins wait for it) */
  planned?(): void;
  emit: EventSink;
  check?: boolean;
  /** include unified diffs in task events */
  diff?: boolean;
  tags?: string[];
  skipTags?: string[];
  forks?: number;
  serial?: string;
  maxFail?: string;
  /**
   * The user asked the run to stop (Ctrl-C, a CI cancel): the signal's name, once it did. No new task
   * starts; running ones end; a deploy's hosts then run their rescue and unlock, reconnecting if need be.
   */
  interrupted?: () => string | undefined;
}

export interface RunResult {
  recap: Record<string, HostRecap>;
  aborted?: string;
  /** the signal that stopped the run */
  interrupted?: string;
  /** hosts whose `always` tasks (a deploy's unlock) did not complete: a lock may be left there */
  unfinished?: string[];
  exitCode: number;
}

export interface PlannedStage {
  name: string;
  tasks: Task[];
  once?: Stage['once'];
  rolling?: boolean;
}

export interface PlannedPhase {
  name: string;
  tasks: Task[];
  /** a fleet transaction's stages (then `tasks` is empty) */
  stages?: PlannedStage[];
  handlers: Record<string, Task>;
  rescue: Task[];
  always: Task[];
}

const resolve = <T>(value: T | ((host: HostInfo) => T) | undefined, host: HostInfo, fallback: T): T =>
  value === undefined ? fallback : typeof value === 'function' ? (value as (h: HostInfo) => T)(host) : value;

const tagged = (task: Task, phase: Phase, tags?: string[], skip?: string[]): boolean => {
  const all = [...(phase.tags ?? []), ...task.tags];
  if (skip?.some((t) => all.includes(t))) return false;
  if (!tags?.length || tags.includes('all')) return true;
  return all.includes('always') || tags.some((t) => all.includes(t));
};

const here = fileURLToPath(import.meta.url);

/**
 * What the playbook's code throws is bad input naming its file and line (exit 4); a bug in Runbook stays
 * one, and bad input already said (a task's E_OPTIONS) stays as it was said.
 */
const asBadInput = (e: unknown, doing: string, details?: ErrorDetails): unknown =>
  e instanceof RunbookError && e.isBadInput ? e : (userCodeError(e, 'E_PLAYBOOK', doing, { caller: here, details }) ?? e);

/** One phase of one host: its tasks, stages, handlers, rescue and always, each resolved for the host. */
function planPhase(phase: Phase, host: RunHost, opts: Pick<RunOptions, 'tags' | 'skipTags'>): PlannedPhase {
  const stages = phase.stages?.map((st) => ({ ...st, tasks: resolve(st.tasks, host, []).filter((t) => tagged(t, phase, opts.tags, opts.skipTags)) }));
  const tasks = resolve(phase.tasks, host, []);
  const handlers = resolve(phase.handlers, host, {});
  for (const task of [...tasks, ...(stages ?? []).flatMap((st) => st.tasks)]) {
    for (const name of task.notify) {
      if (!handlers[name]) {
        throw new RunbookError('E_PLAYBOOK', `task "${task.title}" notifies "${name}", but phase "${phase.name}" has no such handler (handlers: ${Object.keys(handlers).join(', ') || 'none'})`, { task: task.type.name });
      }
    }
  }
  return {
    name: phase.name,
    tasks: tasks.filter((t) => tagged(t, phase, opts.tags, opts.skipTags)),
    ...(stages ? { stages } : {}),
    handlers,
    rescue: resolve(phase.rescue, host, []),
    always: resolve(phase.always, host, []),
  };
}

/** Builds every host's tasks before anything connects, so bad options fail the run up front (exit 4). */
export async function planPhases(opts: Pick<RunOptions, 'playbook' | 'context' | 'hosts' | 'tags' | 'skipTags' | 'check'>): Promise<Map<string, PlannedPhase[]>> {
  const context: PlaybookContext = {
    ...opts.context,
    ...(opts.check ? { check: true } : {}),
    hosts: opts.hosts,
    // a run outside an env (tests, a playbook on its hosts) is its own fleet
    fleet: opts.context.fleet ?? fleetOf(opts.hosts, new Set(opts.hosts.map((h) => h.alias))),
  };
  let phases: Phase[];
  try {
    phases = typeof opts.playbook.phases === 'function' ? await opts.playbook.phases(context) : opts.playbook.phases;
  } catch (e) {
    throw asBadInput(e, `playbook ${opts.playbook.name}, phases`);
  }
  const plans = new Map<string, PlannedPhase[]>();
  for (const host of opts.hosts) {
    plans.set(
      host.alias,
      phases.map((phase) => {
        try {
          return planPhase(phase, host, opts);
        } catch (e) {
          throw asBadInput(e, `playbook ${opts.playbook.name}, phase "${phase.name}", host ${host.alias}`, { host: host.alias });
        }
      }),
    );
  }
  return plans;
}

/** Whether a host has any task in the playbook (handlers run only when a task notifies them). */
export const hasWork = (phases: PlannedPhase[]): boolean =>
  phases.some((p) => p.tasks.length || p.rescue.length || p.always.length || p.stages?.some((s) => s.tasks.length));

export async function runPlaybook(opts: RunOptions): Promise<RunResult> {
  const plans = await planPhases(opts);
  opts.planned?.();
  // a playbook with a fleet transaction (deploy, rollback) runs in lockstep across hosts
  if ([...plans.values()].some((phases) => phases.some((p) => p.stages))) return runFleet(opts, plans);
  const recap: Record<string, HostRecap> = Object.fromEntries(opts.hosts.map((h) => [h.alias, newRecap()]));
  const maxFail = parseMaxFail(opts.maxFail);
  const state = { aborted: undefined as string | undefined, failedHosts: 0 };
  opts.emit({ type: 'run', playbook: opts.playbook.name, env: opts.context.env, hosts: opts.hosts.map((h) => h.alias), check: Boolean(opts.check) });

  const overThreshold = () => maxFail !== undefined && (state.failedHosts * 100) / opts.hosts.length > maxFail;

  const runHost = async (host: RunHost) => {
    const r = recap[host.alias];
    if (state.aborted || opts.interrupted?.()) return;
    // a host none of whose plugins has work here (a data host in `run unlock`) is not connected at all
    if (!hasWork(plans.get(host.alias)!)) return opts.emit({ type: 'host', host: host.alias, status: 'idle' });
    const started = Date.now();
    let conn: Connection | undefined;
    opts.emit({ type: 'host', host: host.alias, status: 'connecting' });
    try {
      conn = await opts.connect(host);
    } catch (e) {
      r.unreachable = true;
      state.failedHosts++;
      opts.emit({ type: 'host', host: host.alias, status: 'unreachable', error: errorInfo(toRunbookError(e, { host: host.alias })) });
      if (overThreshold()) state.aborted ??= `more than ${maxFail}% of hosts failed`;
      return;
    }
    opts.emit({ type: 'host', host: host.alias, status: 'connected', ms: conn.stats.connectMs });
    const ctx: HostRunContext = { alias: host.alias, user: host.user, become: host.become, vars: host.vars, check: Boolean(opts.check) };
    try {
      const ok = await runPhases(taskLists(conn, ctx, opts, r, () => Boolean(state.aborted || opts.interrupted?.())), plans.get(host.alias)!);
      if (!ok) {
        state.failedHosts++;
        if (overThreshold()) state.aborted ??= `more than ${maxFail}% of hosts failed`;
      }
    } finally {
      addStats(r, conn.stats);
      r.ms = Date.now() - started;
      await conn.close();
      opts.emit({ type: 'host', host: host.alias, status: state.aborted && r.failed === 0 ? 'stopped' : 'done', ms: r.ms });
    }
  };

  for (const batch of batches(opts.hosts, opts.serial)) {
    if (state.aborted || opts.interrupted?.()) break;
    await pool(batch, opts.forks ?? batch.length, runHost);
  }
  const interrupted = opts.interrupted?.();
  if (interrupted) state.aborted ??= `interrupted by ${interrupted}: no new task started`;
  if (state.aborted) opts.emit({ type: 'aborted', reason: state.aborted });
  opts.emit({ type: 'recap', hosts: recap });
  return { recap, aborted: state.aborted, interrupted, exitCode: exitCodeFor(recap, Boolean(opts.check)) };
}

async function runPhases(runList: RunList, phases: PlannedPhase[]): Promise<boolean> {
  for (const phase of phases) {
    let ok = await runList(phase.name, phase.tasks, undefined, phase.handlers);
    if (!ok && phase.rescue.length) {
      await runList(phase.name, phase.rescue, 'rescue');
    }
    if (phase.always.length) ok = (await runList(phase.name, phase.always, 'always')) && ok;
    if (!ok) return false;
  }
  return true;
}

/** 1 if a task failed, else 3 if a host was unreachable, else 2 if --check found changes, else 0. */
export function exitCodeFor(recap: Record<string, HostRecap>, check: boolean): number {
  const hosts = Object.values(recap);
  if (hosts.some((h) => h.failed > 0)) return ExitCode.failed;
  if (hosts.some((h) => h.unreachable)) return ExitCode.unreachable;
  if (check && hosts.some((h) => h.changed > 0)) return ExitCode.drift;
  return ExitCode.ok;
}
