/**
 * A host's tasks with batched round trips (DESIGN §4).
 *
 * Facts: those of consecutive tasks that can share an exec (the same user, or root and another user:
 * exec-user.ts) are read in one exec; with `next`, a batch that reaches the end of the list reads the
 * first facts of the list the host runs next too.
 * Changes: consecutive changing tasks are applied together in one exec as long as each declares its
 * resource keys (`touches`) and none overlaps a key of an earlier change still pending: a task planned
 * from facts read before those changes is then planned exactly as it would be after them. A task that
 * overlaps (or declares nothing) first flushes the pending changes, in one exec together with a fresh
 * read of its own facts and those after it, and is planned from those. A task that reads no facts joins
 * any batch. So a no-op run costs one exec per host, and a first run of independent
 * files, directories and units one more. Within an exec, consecutive commands of one group kind run as
 * one script (`Command.group`). The phase's handlers run in the same loop, after its tasks (`after`).
 * Results are reported in task order, each task's start and end together once its fate is known.
 * Under --check nothing is applied: what a later task finds missing after a predicted change is
 * reported as its predicted change (check-predictions.ts).
 */
import type { Connection } from './connection.js';
import { notePredictedChange, predictedPlan, predictionFor } from './check-predictions.js';
import { errors, MissingObject, toRunbookError } from './errors.js';
import { asIn, execUser, usersExec, type Who } from './exec-user.js';
import { runSteps } from './remote.js';
import { runAsFor, type HostRunContext, type TaskResult } from './run-task.js';
import type { StepResult, StepSpec } from './steps.js';
import { overlaps } from './resources.js';
import { changes, isNoop, type Command, type FactGroup, type FactOutput, type FactRequest, type Plan, type Task, type TaskContext } from './task.js';

interface Item {
  task: Task;
  runAs: Who;
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

const factStep = (script: string): StepSpec => ({ script, errexit: false, stopOnFailure: false });

function prepare(task: Task, host: HostRunContext): Item {
  const runAs = runAsFor(task, host);
  const ctx: TaskContext = { alias: host.alias, user: host.user, runAs: runAs.name, vars: host.vars, check: host.check };
  const requests = task.when ? (task.type.facts(task.options, ctx) as Record<string, FactRequest<unknown>>) : {};
  return { task, runAs, ctx, keys: Object.keys(requests), requests };
}

const hasLateFacts = (item: Item) => item.keys.some((k) => item.requests[k].late);

/**
 * How far a batch of facts from `from` reaches, and who its exec runs as: consecutive tasks that can
 * share an exec with `runAs` (execUser), up to a task whose facts must be read late — unless every task
 * before it in the batch is late too (a health check, then the units that must stay up): those are read
 * one after the other, and should an earlier one plan a change, the flush before the next one reads
 * that one's facts again.
 */
function batchEnd(items: Item[], from: number, runAs: Who, listEnd: number): { end: number; exec: Who } {
  let j = from;
  let exec = runAs;
  let allLate = hasLateFacts(items[from]);
  while (j < items.length && (j === from || !hasLateFacts(items[j]) || allLate)) {
    // the next list's late facts are read just before its task, never ahead of it
    if (j >= listEnd && hasLateFacts(items[j])) break;
    const joined = execUser(exec, items[j].runAs);
    if (!joined) break;
    exec = joined;
    allLate &&= hasLateFacts(items[j]);
    j++;
  }
  return { end: j, exec };
}

/** Who reads a fact step's output: one request, or the members of a group (in the group's arg order). */
interface StepOwners {
  members: { item: number; key: string }[];
  group?: FactGroup;
}
interface FactSteps {
  steps: StepSpec[];
  owners: StepOwners[];
  /** the items whose facts these are: [from, end) */
  from: number;
  end: number;
  /** who the exec runs as */
  exec: Who;
}

/**
 * The fact steps of items[from..batchEnd) that can share an exec with `runAs`: one per request, except
 * that grouped requests of one kind and user become a single step (placed where the first of them was).
 */
function factSteps(items: Item[], from: number, runAs: Who, listEnd = items.length): FactSteps {
  const owners: StepOwners[] = [];
  const groups = new Map<string, StepOwners>();
  const { end, exec } = batchEnd(items, from, runAs, listEnd);
  for (let j = from; j < end; j++) {
    for (const key of items[j].keys) {
      const group = items[j].requests[key].group;
      const groupKey = group && `${group.kind}\0${items[j].runAs.name}`;
      const grouped = groupKey && groups.get(groupKey);
      if (grouped) grouped.members.push({ item: j, key });
      else {
        const o: StepOwners = { members: [{ item: j, key }], group };
        owners.push(o);
        if (groupKey) groups.set(groupKey, o);
      }
    }
  }
  const steps = owners.map((o) => {
    const who = items[o.members[0].item].runAs;
    if (!o.group || o.members.length === 1) return asIn(factStep(items[o.members[0].item].requests[o.members[0].key].command), who, exec);
    return asIn(factStep(o.group.command(o.members.map((m) => items[m.item].requests[m.key].group!.arg))), who, exec);
  });
  return { steps, owners, from, end, exec };
}

type FactOutputs = Record<string, FactOutput>;

/** Files fact outputs under the task and key they belong to. */
function file(outputs: Map<number, FactOutputs>, items: Item[], f: FactSteps, results: StepResult[]) {
  for (let j = f.from; j < f.end; j++) outputs.set(j, {});
  f.owners.forEach((o, k) => {
    const result = results[k];
    if (!result) return;
    const parts = o.group && o.members.length > 1
      ? splitGroup(o.group, o.members.map((m) => items[m.item].requests[m.key].group!.arg), result)
      : [result];
    o.members.forEach((m, i) => {
      if (parts[i]) outputs.get(m.item)![m.key] = parts[i];
    });
  });
}

/** A group's output split per member; when it cannot be, every member sees the whole output as its failure. */
function splitGroup(group: FactGroup, args: unknown[], result: StepResult): FactOutput[] {
  if (result.code === 0) {
    try {
      const parts = group.split(result, args);
      if (parts.length === args.length) return parts;
    } catch {
      // fall through: reported as each member's failure
    }
  }
  return args.map(() => ({ stdout: '', stderr: result.stderr || `reading ${group.kind} facts failed`, code: result.code || 1 }));
}

function plan(item: Item, outputs: FactOutputs): Plan {
  const values: Record<string, unknown> = {};
  for (const key of item.keys) {
    const out = outputs[key];
    if (!out) throw errors.fact(`fact "${key}" produced no output`);
    try {
      values[key] = item.requests[key].parse(out);
    } catch (e) {
      if (e instanceof MissingObject) throw e;
      throw errors.fact(`fact "${key}" could not be parsed: ${(e as Error).message}`, { stderr: out.stderr });
    }
  }
  return item.task.type.check(values as never, item.task.options, item.ctx);
}

/** The task's plan; under --check, after a predicted change, what that change may alter is planned as predicted (check-predictions.ts). */
function planOrPredict(item: Item, outputs: FactOutputs, host: HostRunContext): Plan {
  try {
    return predictedPlan(plan(item, outputs), host);
  } catch (e) {
    const predicted = predictionFor(e, host);
    if (!predicted) throw e;
    return changes(predicted);
  }
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

type Member = { c: Command; q: Pending };
/** One apply step: a command, or consecutive commands of one group kind carried out by one script. */
interface ApplyStep {
  step: StepSpec;
  members: Member[];
}

const markLine = /^rb-member (\d+)$/gm;
const mark = (i: number) => `printf 'rb-member %s\\n' ${i}`;
/** The member a failed group step names last (0 when it named none). */
function lastMark(stdout: string): number {
  let last = 0;
  for (const m of stdout.matchAll(markLine)) last = Number(m[1]);
  return last;
}

/** The apply steps of `commands` in an exec run as `exec` (another user's commands through `runuser`). */
function applySteps(commands: Member[], exec: Who): ApplyStep[] {
  const runs: Member[][] = [];
  for (const m of commands) {
    const first = runs.at(-1)?.[0];
    const prev = first?.c;
    const joins = m.c.group && prev?.group?.kind === m.c.group.kind && Boolean(prev.agent) === Boolean(m.c.agent)
      && first!.q.item.runAs.name === m.q.item.runAs.name;
    if (joins) runs.at(-1)!.push(m);
    else runs.push([m]);
  }
  return runs.map((members) => {
    const script = members.length === 1
      ? members[0].c.script
      : members[0].c.group!.script(members.map((m) => m.c.group!.arg), mark);
    return { members, step: asIn({ script, errexit: true, stopOnFailure: true }, members[0].q.item.runAs, exec) };
  });
}

interface Pending {
  item: Item;
  /** the task's result once known; a change stays pending until its batch has been applied */
  result?: Omit<TaskResult, 'task' | 'title' | 'ms'>;
  commands?: Command[];
}

export interface RunTasksOptions {
  /**
   * The tasks to run once the list is through (a phase's notified handlers), given the tasks planned
   * to change. They run in the same loop, so a handler may join the last pending changes: a first run
   * then costs one exec for the facts and one for every change and the handlers.
   */
  after?(changed: Task[]): Task[];
  /**
   * The tasks of the list this host runs next (the fleet runner's next stages): a fact batch that
   * reaches the end of this list reads their facts too (not the late ones), into `carried`, so the next
   * list needs no exec for them. Any change applied after that read drops them again.
   */
  next?: Task[];
  /** facts carried from list to list by task: those of this list's tasks are taken, the rest dropped */
  carried?: Map<Task, FactOutputs>;
}

/** Runs tasks in order; returns false at the first failure. */
export async function runTasks(conn: Connection, tasks: Task[], host: HostRunContext, hooks: TaskHooks, opts: RunTasksOptions = {}): Promise<boolean> {
  const items = tasks.map((t) => prepare(t, host));
  const changed: Task[] = [];
  let afterAdded = !opts.after;
  const outputs = new Map<number, FactOutputs>(); // fact outputs by task index and key, valid for its plan
  const carried = opts.carried ?? new Map<Task, FactOutputs>();
  items.forEach((item, i) => {
    const read = carried.get(item.task);
    if (read) outputs.set(i, read);
  });
  carried.clear();
  const ahead = (opts.next ?? []).map((t) => prepare(t, host));
  /** this list's items, then the next list's: fact batches may reach into it */
  const reach = () => [...items, ...ahead];
  /** Files fact outputs: this list's by index, the next list's into `carried`. */
  const fileAll = (f: FactSteps, results: StepResult[]) => {
    const read = new Map<number, FactOutputs>();
    file(read, reach(), f, results);
    for (const [j, out] of read) {
      if (j < items.length) outputs.set(j, out);
      else carried.set(ahead[j - items.length].task, out);
    }
  };
  let queue: Pending[] = []; // reported together, in order, once the changes among them are applied
  let batchKeys: string[] | undefined = []; // keys of the pending changes; undefined: anything
  let batchStarted = Date.now();

  const pendingChanges = () => queue.filter((q) => q.commands);
  const report = (failure?: { at: Item; error: unknown }) => {
    const ms = Date.now() - batchStarted;
    for (const q of queue) {
      const base = { task: q.item.task.type.name, title: q.item.task.title };
      hooks.start(q.item.task);
      if (failure?.at === q.item) {
        hooks.done(q.item.task, { ...base, status: 'failed', error: toRunbookError(failure.error, { host: host.alias, task: q.item.task.type.name }), ms });
        break; // tasks queued after a failed one never ran: not reported
      }
      hooks.done(q.item.task, { ...base, ...q.result!, ms });
    }
    queue = [];
    batchKeys = [];
    batchStarted = Date.now();
  };

  /**
   * Applies the pending changes in one exec, with the facts of tasks from `refreshFrom` read after them
   * in the same exec when they can share it (execUser). Returns the task whose command failed, with the error.
   */
  const flush = async (refreshFrom?: number): Promise<{ at: Item; error: unknown } | undefined> => {
    const changing = pendingChanges();
    if (!changing.length) return undefined;
    const changesAs = usersExec(changing.map((q) => q.item.runAs));
    // the next list's facts read so far are from before these changes (whatever comes of them)
    carried.clear();
    const commands = changing.flatMap((q) => q.commands!.map((c) => ({ c, q })));
    // a task with late facts (a health check that waits) reads them right after the changes before it, in
    // their exec: that is just before it runs
    const all = reach();
    const refresh: FactSteps = refreshFrom !== undefined && refreshFrom < all.length
      ? factSteps(all, refreshFrom, changesAs, items.length) : { steps: [], owners: [], from: 0, end: 0, exec: changesAs };
    const apply = applySteps(commands, refresh.exec);
    const r = await runSteps(conn, [...apply.map((a) => a.step), ...refresh.steps], {
      ...refresh.exec, agent: commands.some(({ c }) => c.agent), stopOnFailure: true, errexit: true,
    });
    const failedAt = apply.findIndex((_, k) => !r.results[k] || r.results[k].code !== 0);
    if (failedAt >= 0) {
      const out = r.results[failedAt];
      const { c, q } = apply[failedAt].members[lastMark(out?.stdout ?? '')] ?? apply[failedAt].members[0];
      return { at: q.item, error: errors.command(c.display, out?.code ?? r.code, out?.stderr || out?.stdout || r.stderr) };
    }
    for (const k of [...outputs.keys()]) if (refreshFrom === undefined || k >= refreshFrom) outputs.delete(k);
    if (refresh.steps.length && r.results.length === apply.length + refresh.steps.length) {
      fileAll(refresh, r.results.slice(apply.length));
    }
    return undefined;
  };
  /** Flushes and reports; false when a pending change failed (reported as that task's failure). */
  const settle = async (refreshFrom?: number): Promise<boolean> => {
    let failure: { at: Item; error: unknown } | undefined;
    try {
      failure = await flush(refreshFrom);
    } catch (e) {
      // the connection or the remote shell failed: the first pending change takes the error
      failure = { at: pendingChanges()[0].item, error: e };
    }
    report(failure);
    return !failure;
  };
  /** Whether items[i] may join the pending changes: planned from the facts read before them. */
  const canJoin = (i: number): boolean => {
    const changing = pendingChanges();
    if (!changing.length) return true;
    const item = items[i];
    if (!execUser(usersExec(changing.map((q) => q.item.runAs)), item.runAs) || hasLateFacts(item)) return false;
    // a task that reads nothing plans the same before the pending changes as after them; its commands
    // run after theirs, in order
    if (!item.keys.length) return true;
    if (!outputs.has(i)) return false;
    const keys = item.task.type.touches?.(item.task.options, item.ctx);
    return keys !== undefined && batchKeys !== undefined && !overlaps(keys, batchKeys);
  };

  for (let i = 0; ; i++) {
    if (i === items.length && !afterAdded) {
      afterAdded = true;
      items.push(...opts.after!(changed).map((t) => prepare(t, host)));
    }
    if (i === items.length) break;
    if (hooks.stopped?.()) return settle();
    const item = items[i];
    if (!item.task.when) {
      queue.push({ item, result: { status: 'skipped', reason: 'when: false' } });
      if (!pendingChanges().length) report();
      continue;
    }
    if (!canJoin(i) && !(await settle(i))) return false;
    const entry: Pending = { item };
    queue.push(entry);
    try {
      if (!outputs.has(i)) {
        const f = factSteps(reach(), i, item.runAs, items.length);
        const { steps } = f;
        const r = steps.length ? await runSteps(conn, steps, { ...f.exec, stopOnFailure: false, errexit: false }) : { results: [], stderr: '' };
        // fact steps never stop the script: missing results mean the remote shell itself died
        if (r.results.length < steps.length) throw errors.fact(`facts could not be read${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
        fileAll(f, r.results);
      }
      const p = planOrPredict(item, outputs.get(i) ?? {}, host);
      if (isNoop(p)) {
        entry.result = { status: 'ok', reason: p.noop, ...(p.report ? { report: p.report } : {}) };
      } else if (host.check) {
        // nothing changes under --check: later tasks plan from the host as it was (check-predictions.ts)
        entry.result = { status: 'changed', changes: p.changes, diff: p.diff, ...(p.report ? { report: p.report } : {}) };
        changed.push(item.task);
        notePredictedChange(host);
      } else {
        changed.push(item.task);
        entry.commands = item.task.type.apply(p, item.task.options, item.ctx);
        entry.result = { status: 'changed', changes: p.changes, diff: p.diff, ...(p.report ? { report: p.report } : {}) };
        const keys = item.task.type.touches?.(item.task.options, item.ctx);
        batchKeys = keys && batchKeys && !item.task.type.changesAnything?.(item.task.options) ? [...batchKeys, ...keys] : undefined;
      }
    } catch (e) {
      // the changes queued before this task still belong to the run: apply them, then report its failure
      queue.pop();
      if (!(await settle())) return false;
      queue.push(entry);
      report({ at: item, error: e });
      return false;
    }
    if (!entry.commands && !pendingChanges().length) report();
  }
  // the last changes carry the next list's first facts
  return settle(items.length);
}
