/**
 * A host's tasks with batched round trips (DESIGN §4). The facts of consecutive tasks that run as the same
 * user are read in one exec; each task that changes something is applied in one exec together with a
 * fresh read of the facts of the tasks after it. Every plan is therefore computed from facts read after
 * all earlier changes — no dependency analysis needed, and correct whatever a task changes. A no-op run
 * costs one exec per host (per user switch); a first run one more per changing task.
 */
import type { Connection } from './connection.js';
import { errors, toRunbookError } from './errors.js';
import { runSteps, type RunAs } from './remote.js';
import { runAsFor, type HostRunContext, type TaskResult } from './run-task.js';
import type { StepResult, StepSpec } from './steps.js';
import { isNoop, type FactRequest, type Plan, type Task, type TaskContext } from './task.js';

interface Item {
  task: Task;
  runAs: RunAs & { name: string };
  ctx: TaskContext;
  keys: string[];
  requests: Record<string, FactRequest<unknown>>;
}

export interface TaskHooks {
  start(task: Task): void;
  done(task: Task, result: TaskResult): void;
  /** true ends the list before the next task (the run was stopped by --max-fail) */
  stopped?(): boolean;
}

const sameUser = (a: RunAs, b: RunAs) => a.sudo === b.sudo && a.user === b.user;
const factStep = (script: string): StepSpec => ({ script, errexit: false, stopOnFailure: false });

function prepare(task: Task, host: HostRunContext): Item {
  const runAs = runAsFor(task, host);
  const ctx: TaskContext = { alias: host.alias, user: host.user, runAs: runAs.name, vars: host.vars, check: host.check };
  const requests = task.when ? (task.type.facts(task.options, ctx) as Record<string, FactRequest<unknown>>) : {};
  return { task, runAs, ctx, keys: Object.keys(requests), requests };
}

const hasLateFacts = (item: Item) => item.keys.some((k) => item.requests[k].late);

/** How far a batch of facts from `from` reaches: consecutive tasks of the same user, up to a task whose facts must be read late. */
function batchEnd(items: Item[], from: number, runAs: RunAs): number {
  let j = from;
  while (j < items.length && sameUser(items[j].runAs, runAs) && (j === from || !hasLateFacts(items[j]))) j++;
  return j;
}

/** The fact steps of items[from..batchEnd) that can share an exec with `runAs`. */
function factSteps(items: Item[], from: number, runAs: RunAs): { steps: StepSpec[]; owners: number[] } {
  const steps: StepSpec[] = [];
  const owners: number[] = [];
  for (let j = from; j < batchEnd(items, from, runAs); j++) {
    for (const key of items[j].keys) {
      steps.push(factStep(items[j].requests[key].command));
      owners.push(j);
    }
  }
  return { steps, owners };
}

/** Files fact outputs under the task they belong to. */
function file(outputs: Map<number, StepResult[]>, items: Item[], from: number, runAs: RunAs, owners: number[], results: StepResult[]) {
  for (let j = from; j < batchEnd(items, from, runAs); j++) outputs.set(j, []);
  owners.forEach((j, k) => outputs.get(j)!.push(results[k]));
}

function plan(item: Item, outputs: StepResult[]): Plan {
  const values: Record<string, unknown> = {};
  item.keys.forEach((key, k) => {
    const out = outputs[k];
    if (!out) throw errors.fact(`fact "${key}" produced no output`);
    try {
      values[key] = item.requests[key].parse(out);
    } catch (e) {
      throw errors.fact(`fact "${key}" could not be parsed: ${(e as Error).message}`, { stderr: out.stderr });
    }
  });
  return item.task.type.check(values as never, item.task.options, item.ctx);
}

/**
 * One task on its own: facts in one exec, and when it changes something, its commands in one more.
 * A no-op therefore costs one round trip, a change two (handlers, tests of single tasks).
 */
export async function runTask(conn: Connection, task: Task, host: HostRunContext): Promise<TaskResult> {
  let result: TaskResult | undefined;
  await runTasks(conn, [task], host, { start: () => {}, done: (_t, r) => void (result = r) });
  return result!;
}

/** Runs tasks in order; returns false at the first failure. */
export async function runTasks(conn: Connection, tasks: Task[], host: HostRunContext, hooks: TaskHooks): Promise<boolean> {
  const items = tasks.map((t) => prepare(t, host));
  const outputs = new Map<number, StepResult[]>(); // fresh fact outputs by task index
  for (let i = 0; i < items.length; i++) {
    if (hooks.stopped?.()) return true;
    const item = items[i];
    const started = Date.now();
    const base = { task: item.task.type.name, title: item.task.title };
    const finish = (r: Omit<TaskResult, 'task' | 'title' | 'ms'>) => {
      hooks.done(item.task, { ...base, ...r, ms: Date.now() - started });
      return r.status !== 'failed';
    };
    hooks.start(item.task);
    if (!item.task.when) {
      finish({ status: 'skipped', reason: 'when: false' });
      continue;
    }
    try {
      if (!outputs.has(i)) {
        const { steps, owners } = factSteps(items, i, item.runAs);
        const r = steps.length ? await runSteps(conn, steps, { ...item.runAs, stopOnFailure: false, errexit: false }) : { results: [], stderr: '' };
        // fact steps never stop the script: missing results mean the remote shell itself died
        if (r.results.length < steps.length) throw errors.fact(`facts could not be read${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
        file(outputs, items, i, item.runAs, owners, r.results);
      }
      const p = plan(item, outputs.get(i)!);
      if (isNoop(p)) {
        finish({ status: 'ok', reason: p.noop });
        continue;
      }
      if (host.check) {
        // nothing changes under --check: the facts read for later tasks stay true
        finish({ status: 'changed', changes: p.changes, diff: p.diff });
        continue;
      }
      const commands = item.task.type.apply(p, item.task.options, item.ctx);
      for (const k of [...outputs.keys()]) if (k > i) outputs.delete(k); // this change may make them stale
      // the next task's late facts are read when it comes, not now
      const refresh = i + 1 < items.length && hasLateFacts(items[i + 1]) ? { steps: [], owners: [] } : factSteps(items, i + 1, item.runAs);
      const applySteps: StepSpec[] = commands.map((c) => ({ script: c.script, errexit: true, stopOnFailure: true }));
      const r = await runSteps(conn, [...applySteps, ...refresh.steps], {
        ...item.runAs, agent: commands.some((c) => c.agent), stopOnFailure: true, errexit: true,
      });
      const failedAt = commands.findIndex((_, k) => !r.results[k] || r.results[k].code !== 0);
      if (failedAt >= 0) {
        const out = r.results[failedAt];
        throw errors.command(commands[failedAt].display, out?.code ?? r.code, out?.stderr || out?.stdout || r.stderr);
      }
      if (refresh.steps.length && r.results.length === commands.length + refresh.steps.length) {
        file(outputs, items, i + 1, item.runAs, refresh.owners, r.results.slice(commands.length));
      }
      finish({ status: 'changed', changes: p.changes, diff: p.diff });
    } catch (e) {
      finish({ status: 'failed', error: toRunbookError(e, { host: host.alias, task: item.task.type.name }) });
      return false;
    }
  }
  return true;
}
