/**
 * One task on one host: read its facts (one exec), check (pure), and unless the plan is a no-op or we are
 * in check mode, apply its commands (one more exec). A no-op therefore costs one round trip, a change two.
 */
import type { Connection } from './connection.js';
import { errors, RunbookError, toRunbookError } from './errors.js';
import { runSteps, type RunAs } from './remote.js';
import { isNoop, type Plan, type Task, type TaskContext } from './task.js';

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

export interface TaskResult {
  /** the task type, e.g. `file.content` */
  task: string;
  title: string;
  status: TaskStatus;
  /** what changed (or would change under --check) */
  changes?: string[];
  /** why nothing changed, or why the task was skipped */
  reason?: string;
  diff?: string;
  error?: RunbookError;
  ms: number;
}

export interface HostRunContext {
  alias: string;
  /** the login user of the connection */
  user: string;
  /** the host's default for become (inventory), else: become when the login user is not root */
  become?: boolean;
  vars: Record<string, unknown>;
  check: boolean;
}

/** Who a task's commands run as: sudo when asked, or by default for a non-root login. */
export function runAsFor(task: Pick<Task, 'become' | 'becomeUser'>, host: HostRunContext): RunAs & { name: string } {
  if (task.becomeUser) return { sudo: true, user: task.becomeUser, name: task.becomeUser };
  const become = task.become ?? host.become ?? host.user !== 'root';
  if (become && host.user !== 'root') return { sudo: true, name: 'root' };
  return { sudo: false, name: host.user };
}

async function readFacts(conn: Connection, task: Task, ctx: TaskContext, runAs: RunAs): Promise<Record<string, unknown>> {
  const requests = task.type.facts(task.options, ctx) as Record<string, { command: string; parse: Function }>;
  const keys = Object.keys(requests);
  if (keys.length === 0) return {};
  const outcome = await runSteps(conn, keys.map((k) => requests[k].command), { ...runAs, stopOnFailure: false, errexit: false });
  const values: Record<string, unknown> = {};
  keys.forEach((key, i) => {
    const out = outcome.results[i];
    if (!out) throw errors.fact(`fact "${key}" produced no output${outcome.stderr ? `: ${outcome.stderr.trim()}` : ''}`);
    try {
      values[key] = requests[key].parse(out);
    } catch (e) {
      throw errors.fact(`fact "${key}" could not be parsed: ${(e as Error).message}`, { stderr: out.stderr });
    }
  });
  return values;
}

/** Plans a task without changing anything: facts + check. */
export async function planTask(conn: Connection, task: Task, host: HostRunContext): Promise<Plan> {
  const runAs = runAsFor(task, host);
  const ctx: TaskContext = { alias: host.alias, user: host.user, runAs: runAs.name, vars: host.vars, check: host.check };
  const facts = await readFacts(conn, task, ctx, runAs);
  return task.type.check(facts as never, task.options, ctx);
}

export async function runTask(conn: Connection, task: Task, host: HostRunContext): Promise<TaskResult> {
  const started = Date.now();
  const base = { task: task.type.name, title: task.title };
  const done = (r: Omit<TaskResult, 'task' | 'title' | 'ms'>): TaskResult => ({ ...base, ...r, ms: Date.now() - started });
  if (!task.when) return done({ status: 'skipped', reason: 'when: false' });
  const runAs = runAsFor(task, host);
  const ctx: TaskContext = { alias: host.alias, user: host.user, runAs: runAs.name, vars: host.vars, check: host.check };
  try {
    const facts = await readFacts(conn, task, ctx, runAs);
    const plan = task.type.check(facts as never, task.options, ctx);
    if (isNoop(plan)) return done({ status: 'ok', reason: plan.noop });
    if (host.check) return done({ status: 'changed', changes: plan.changes, diff: plan.diff });
    const commands = task.type.apply(plan, task.options, ctx);
    const outcome = await runSteps(conn, commands.map((c) => c.script), { ...runAs, agent: commands.some((c) => c.agent), stopOnFailure: true, errexit: true });
    const failedAt = commands.findIndex((_, i) => !outcome.results[i] || outcome.results[i].code !== 0);
    if (failedAt >= 0) {
      const r = outcome.results[failedAt];
      throw errors.command(commands[failedAt].display, r?.code ?? outcome.code, r?.stderr || r?.stdout || outcome.stderr);
    }
    return done({ status: 'changed', changes: plan.changes, diff: plan.diff });
  } catch (e) {
    const error = toRunbookError(e, { host: host.alias, task: task.type.name });
    return done({ status: 'failed', error });
  }
}
