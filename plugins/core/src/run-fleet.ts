/**
 * The fleet runner (DESIGN §9): a deploy is one transaction across every host of the run, not a walk
 * per host. Every host is connected first; then the stages run on all hosts at once, with a barrier
 * (no host goes on before every host got there) before a once-stage, before the first rolling stage
 * and before the stages after the rolling ones; the stages between two barriers run as one task list
 * per host (fewer round trips), whose last exec also reads the first facts of the host's next list.
 * Once-stages (migrations) run on one host. Until the first rolling stage (the switch), a failure on any host — or a host that
 * could not be reached — fails the transaction: no host switches. Rolling stages run batch by batch
 * (--serial); a failed batch fails it too, and every host's rescue then switches the hosts already
 * switched back, so the fleet ends on one release. `always` (unlock) runs on every host in any case.
 */
import type { Connection, ConnectionStats } from './connection.js';
import { toRunbookError } from './errors.js';
import { batches, pool } from './batches.js';
import { addStats, errorInfo, newRecap, type HostRecap } from './events.js';
import { placedHosts, type FleetHost } from './fleet.js';
import type { HostRunContext } from './run-task.js';
import { exitCodeFor, hasWork, type PlannedPhase, type PlannedStage, type RunHost, type RunOptions, type RunResult } from './runner.js';
import { taskLists, type RunList } from './task-lists.js';
import type { Task } from './task.js';

interface FleetState {
  aborted?: string;
  /** the aborted event was emitted when it happened (before the rescue's output) */
  announced?: boolean;
  /** hosts end their stage at the next task */
  stop: boolean;
  /** hosts whose always list (unlock) did not complete */
  unfinished: string[];
}

interface Member {
  host: RunHost;
  conn: Connection;
  ctx: HostRunContext;
  run: RunList;
  /** the task lists of a new connection (after a reconnect) */
  relist(conn: Connection): RunList;
  /** traffic of connections this member lost */
  earlier?: ConnectionStats;
  /** a task of its own failed: it takes part in no further stage, only in rescue and always */
  failed: boolean;
}

export async function runFleet(opts: RunOptions, plans: Map<string, PlannedPhase[]>): Promise<RunResult> {
  const recap: Record<string, HostRecap> = Object.fromEntries(opts.hosts.map((h) => [h.alias, newRecap()]));
  opts.emit({ type: 'run', playbook: opts.playbook.name, env: opts.context.env, hosts: opts.hosts.map((h) => h.alias), check: Boolean(opts.check) });
  const state: FleetState = { stop: false, unfinished: [] };
  const started = Date.now();
  const members: Member[] = [];
  // a host none of whose plugins has work in this playbook (a data host in a deploy) is not connected at all
  const working = opts.hosts.filter((h) => hasWork(plans.get(h.alias)!));
  for (const h of opts.hosts) if (!working.includes(h)) opts.emit({ type: 'host', host: h.alias, status: 'idle' });
  await pool(working, opts.forks ?? working.length, async (host) => {
    opts.emit({ type: 'host', host: host.alias, status: 'connecting' });
    try {
      const conn = await opts.connect(host);
      opts.emit({ type: 'host', host: host.alias, status: 'connected', ms: conn.stats.connectMs });
      const ctx: HostRunContext = { alias: host.alias, user: host.user, become: host.become, vars: host.vars, check: Boolean(opts.check) };
      const relist = (c: Connection) => taskLists(c, ctx, opts, recap[host.alias], () => state.stop || Boolean(opts.interrupted?.()));
      members.push({ host, conn, ctx, run: relist(conn), relist, failed: false });
    } catch (e) {
      recap[host.alias].unreachable = true;
      opts.emit({ type: 'host', host: host.alias, status: 'unreachable', error: errorInfo(toRunbookError(e, { host: host.alias })) });
    }
  });
  // run order, whatever order the connections came in
  members.sort((a, b) => working.indexOf(a.host) - working.indexOf(b.host));
  const unreachable = working.filter((h) => recap[h.alias].unreachable).map((h) => h.alias);
  try {
    // every host plans the same phases (one playbook); a host's own lists may be empty
    const shape = plans.get(opts.hosts[0]?.alias) ?? [];
    for (let i = 0; i < shape.length && !state.aborted && !opts.interrupted?.(); i++) {
      const phase = (m: Member) => plans.get(m.host.alias)![i];
      if (shape[i].stages) {
        if (unreachable.length) {
          state.aborted = `${unreachable.join(', ')} could not be reached: no host ${opts.playbook.name}s (all hosts or none)`;
          break;
        }
        await transaction(members, phase, opts, state);
      } else {
        await all(members.filter((m) => !m.failed), async (m) => {
          const p = phase(m);
          let ok = await m.run(p.name, p.tasks, undefined, p.handlers);
          if (!ok && p.rescue.length) await m.run(p.name, p.rescue, 'rescue');
          if (p.always.length) ok = (await m.run(p.name, p.always, 'always')) && ok;
          if (!ok) m.failed = true;
        }, opts);
      }
    }
  } finally {
    await Promise.all(members.map(async (m) => {
      const r = recap[m.host.alias];
      addStats(r, addUp(m.earlier, m.conn.stats));
      r.ms = Date.now() - started;
      await m.conn.close();
      opts.emit({ type: 'host', host: m.host.alias, status: 'done', ms: r.ms });
    }));
  }
  const interrupted = opts.interrupted?.();
  if (interrupted) state.aborted ??= `interrupted by ${interrupted} before the deploy started`;
  if (state.aborted && !state.announced) opts.emit({ type: 'aborted', reason: state.aborted });
  opts.emit({ type: 'recap', hosts: recap });
  return {
    recap, aborted: state.aborted, interrupted, exitCode: exitCodeFor(recap, Boolean(opts.check)),
    ...(state.unfinished.length ? { unfinished: state.unfinished } : {}),
  };
}

const addUp = (a: ConnectionStats | undefined, b: ConnectionStats): ConnectionStats =>
  a ? { execs: a.execs + b.execs, bytesSent: a.bytesSent + b.bytesSent, bytesReceived: a.bytesReceived + b.bytesReceived, connectMs: a.connectMs } : b;

/** Runs `fn` on members at once (bounded by --forks); true when every call returned true. */
async function all(members: Member[], fn: (m: Member) => Promise<boolean | void>, opts: RunOptions): Promise<boolean> {
  let ok = true;
  await pool(members, opts.forks ?? members.length, async (m) => {
    if ((await fn(m)) === false) ok = false;
  });
  return ok;
}

async function transaction(members: Member[], phaseOf: (m: Member) => PlannedPhase, opts: RunOptions, state: FleetState): Promise<void> {
  const inTx = members.filter((m) => !m.failed);
  if (inTx.length === 0) return;
  const stages = phaseOf(inTx[0]).stages!;
  const firstRolling = stages.findIndex((s) => s.rolling);
  const pre = firstRolling < 0 ? stages.map((_, i) => i) : stages.slice(0, firstRolling).map((_, i) => i);
  const rolling = firstRolling < 0 ? [] : stages.map((s, i) => (s.rolling ? i : -1)).filter((i) => i >= firstRolling);
  const post = stages.map((_, i) => i).filter((i) => i > (rolling.at(-1) ?? pre.at(-1) ?? -1));
  let failure: string | undefined;

  /**
   * Stages with no barrier between them that a host needs (before a once-stage, the first rolling one
   * and the post stages there is one) run as one task list per host: the engine then reads the facts
   * of a later stage in the exec of an earlier one's changes. A failure or stop is named after the
   * stage of the task where it happened.
   */
  const runStages = async (indexes: number[], among: Member[]): Promise<boolean> => {
    const stage = (m: Member, i: number): PlannedStage => phaseOf(m).stages![i];
    const tasksOf = (m: Member) => tasksIn(m, indexes);
    const busy = among.filter((m) => tasksOf(m).length);
    const once = indexes.length === 1 ? stages[indexes[0]].once : undefined;
    const targets = once ? onceHost(busy, once, opts) : busy;
    const failed = new Map<string, string[]>(); // stage name → hosts
    let reached = indexes[0];
    await all(targets, async (m) => {
      const tasks = tasksOf(m);
      const stageOf = new Map(indexes.flatMap((i) => stage(m, i).tasks.map((t) => [t, i] as const)));
      let at = indexes[0];
      let heard = 0;
      const ok = await m.run(phaseOf(m).name, tasks, undefined, phaseOf(m).handlers, (task, bad) => {
        if (bad) at = stageOf.get(task) ?? at;
        else if (stageOf.has(task)) at = stageOf.get(tasks[Math.min(++heard, tasks.length - 1)])!;
      }, nextList(m, indexes));
      reached = Math.max(reached, at);
      if (!ok) {
        m.failed = true;
        const name = stages[at].name;
        failed.set(name, [...(failed.get(name) ?? []), m.host.alias]);
        state.stop = true; // the other hosts end the stage at their next task: it is lost anyway
      }
    }, opts);
    if (failed.size) failure ??= [...failed].map(([name, hosts]) => `${name} failed on ${hosts.join(', ')}`).join('; ');
    const signal = opts.interrupted?.();
    if (signal) failure ??= `interrupted by ${signal} during ${stages[reached].name}`;
    return !failure;
  };
  /** Runs of consecutive stages with no barrier between them: a once-stage stands alone. */
  const groups = (indexes: number[]): number[][] => {
    const out: number[][] = [];
    for (const i of indexes) {
      const last = out.at(-1);
      if (last && !stages[i].once && !stages[last.at(-1)!].once && last.at(-1) === i - 1) last.push(i);
      else out.push([i]);
    }
    return out;
  };

  const tasksIn = (m: Member, indexes: number[]) => indexes.flatMap((i) => phaseOf(m).stages![i].tasks);
  /**
   * The tasks of the list a host runs after the group `indexes` when all goes well (its part of the
   * next group it has tasks in — a once-group only on its host —, else its always list): the last exec
   * of a list reads their first facts (RunTasksOptions.next). Nothing else runs on the host in between.
   */
  const nextList = (m: Member, indexes: number[]): Task[] | undefined => {
    const all = [...groups(pre), ...groups(rolling), ...groups(post)];
    for (const g of all.slice(all.findIndex((x) => x[0] === indexes[0]) + 1)) {
      const once = g.length === 1 ? stages[g[0]].once : undefined;
      if (once && onceHost(inTx.filter((x) => tasksIn(x, g).length), once, opts)[0] !== m) continue;
      if (tasksIn(m, g).length) return tasksIn(m, g);
    }
    return phaseOf(m).always.length ? phaseOf(m).always : undefined;
  };
  for (const g of groups(pre)) if (!(await runStages(g, inTx))) break;
  const beforeSwitch = Boolean(failure);
  if (!failure && rolling.length) {
    const order = inTx.filter((m) => rolling.some((i) => phaseOf(m).stages![i].tasks.length));
    for (const batch of batches(order, opts.serial)) {
      for (const g of groups(rolling)) if (!(await runStages(g, batch))) break;
      if (failure) break;
    }
  }
  if (failure) {
    state.aborted = `${failure}: ${beforeSwitch ? 'no host switches' : 'every host that switched goes back'}; every host runs its rescue`;
    state.announced = true;
    opts.emit({ type: 'aborted', reason: state.aborted });
    await all(inTx, async (m) => (await reconnected(m, opts)) && m.run(phaseOf(m).name, phaseOf(m).rescue, 'rescue'), opts);
  } else {
    // after the switch: a host that fails to record or prune is failed, the fleet stays on the new release
    for (const g of groups(post)) await runStages(g, inTx.filter((m) => !m.failed));
  }
  state.stop = false;
  await all(inTx, async (m) => {
    if (!(await reconnected(m, opts)) || !(await m.run(phaseOf(m).name, phaseOf(m).always, 'always'))) {
      m.failed = true;
      if (phaseOf(m).always.length) state.unfinished.push(m.host.alias);
    }
  }, opts);
}

/**
 * A member whose connection was lost gets a new one for its rescue and unlock: a few tries over some
 * seconds (a host that rebooted, a dropped link); false when the host stays unreachable.
 */
async function reconnected(m: Member, opts: RunOptions, tries = 3): Promise<boolean> {
  if (!m.conn.lost) return true;
  for (let n = 1; n <= tries; n++) {
    try {
      const conn = await opts.connect(m.host);
      m.earlier = addUp(m.earlier, m.conn.stats);
      m.conn = conn;
      m.run = m.relist(conn);
      opts.emit({ type: 'host', host: m.host.alias, status: 'connected', ms: conn.stats.connectMs });
      return true;
    } catch (e) {
      if (n === tries) {
        opts.emit({ type: 'host', host: m.host.alias, status: 'unreachable', error: errorInfo(toRunbookError(e, { host: m.host.alias })) });
        return false;
      }
      await new Promise((r) => setTimeout(r, 1000 * n));
    }
  }
  return false;
}

/** The host of a once-stage: the first of the run with such tasks, among those the placement names when any does. */
function onceHost(busy: Member[], once: NonNullable<PlannedStage['once']>, opts: RunOptions): Member[] {
  if (busy.length === 0) return [];
  if (once === true || once === false) return [busy[0]];
  const fleet: FleetHost[] = (opts.context.fleet ?? []).length
    ? [...opts.context.fleet!]
    : busy.map((m) => ({ alias: m.host.alias, hostname: m.host.hostname, address: m.host.hostname, groups: m.host.groups, inRun: true }));
  const named = new Set(placedHosts(fleet, once, 'primary').map((h) => h.alias));
  return [busy.find((m) => named.has(m.host.alias)) ?? busy[0]];
}
