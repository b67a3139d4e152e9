/**
 * One host's task lists, run in order with batched round trips and reported as events: what both the
 * per-host runner (configure) and the fleet runner (deploy stages) run on a connection.
 */
import type { Connection } from './connection.js';
import { errorInfo, type EventSink, type HostRecap } from './events.js';
import type { HostRunContext, TaskResult } from './run-task.js';
import { runTasks } from './run-tasks.js';
import type { FactOutput, Task } from './task.js';

export interface ListOptions {
  emit: EventSink;
  /** include unified diffs in task events */
  diff?: boolean;
}

export type Block = 'rescue' | 'always';

/**
 * Runs a list of tasks; false at the first failure (handlers after the list, once each, only when none
 * failed). `done` hears of each task of the list once its result is reported (the fleet runner tells by
 * it in which of the stages it ran as one list a host failed or was stopped). `next`: the tasks of the
 * list the host runs next, whose facts the last exec of this one may read (RunTasksOptions.next).
 */
export type RunList = (
  phase: string, tasks: Task[], block?: Block, handlers?: Record<string, Task>, done?: (task: Task, failed: boolean) => void, next?: Task[],
) => Promise<boolean>;

/** `stopped()` true ends a list before its next task (a rescue or always list runs to its end regardless). */
export function taskLists(conn: Connection, ctx: HostRunContext, opts: ListOptions, r: HostRecap, stopped: () => boolean): RunList {
  // facts one list read for the next, on this connection
  const carried = new Map<Task, Record<string, FactOutput>>();
  const report = (phase: string, result: TaskResult, handler: boolean, block?: Block) => {
    // a host lost mid-run is unreachable (exit 3), not a failed task of its own
    if (result.status === 'failed' && result.error?.code === 'E_CONNECT') r.unreachable = true;
    else r[result.status]++;
    if (result.report && result.status !== 'failed') r.state = { ...r.state, ...result.report };
    opts.emit({
      type: 'task', host: ctx.alias, phase, task: result.task, title: result.title, status: result.status,
      ...(handler ? { handler } : {}),
      ...(block ? { block } : {}),
      ...(result.changes ? { changes: result.changes } : {}),
      ...(result.reason ? { reason: result.reason } : {}),
      ...(opts.diff && result.diff ? { diff: result.diff } : {}),
      ...(result.error ? { error: errorInfo(result.error) } : {}),
      ms: result.ms,
    });
  };
  return (phase, tasks, block, handlers, heard, next) => {
    const handlerTasks = new Set<Task>();
    // handlers run after the list, in declaration order, once each, whatever the order of notification;
    // not at all when a task failed
    const after = handlers && ((changed: Task[]) => {
      const notified = new Set(changed.flatMap((t) => t.notify));
      return Object.entries(handlers).filter(([name]) => notified.has(name)).map(([name, handler]) => {
        const t = { ...handler, title: name };
        handlerTasks.add(t);
        return t;
      });
    });
    return runTasks(conn, tasks, ctx, {
      start: (task) => opts.emit({
        type: 'task:start', host: ctx.alias, phase, task: task.type.name, title: task.title, ...(handlerTasks.has(task) ? { handler: true } : {}),
      }),
      done: (task, result) => {
        report(phase, result, handlerTasks.has(task), block);
        heard?.(task, result.status === 'failed');
      },
      stopped: () => !block && stopped(),
    }, { after, next, carried });
  };
}
