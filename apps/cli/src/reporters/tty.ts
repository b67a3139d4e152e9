/**
 * listr2 in a terminal: a line per host that shows the task it is on, ✔ / ✖ when the host is done (past
 * MANY_HOSTS hosts, one line counting hosts by state instead). Once the live view has finished, the
 * changes, diffs and failures are printed per task across hosts (task-summary.ts), then the recap.
 */
import type { EventSink, RunEvent } from '@runbook/core';
import { colorDiff, cyan, dim, green, recapLines, red, seconds, yellow } from './format.js';
import { groupRecap, hostList, summarizeTasks } from './task-summary.js';

/** Above this many hosts the live view is one summary line, not a line per host. */
export const MANY_HOSTS = 12;

interface Deferred {
  resolve(): void;
  reject(e: Error): void;
}
interface ListrHandle {
  title: string;
  output: string;
}
type TaskEvent = Extract<RunEvent, { type: 'task' }>;

export async function ttyReporter(opts: { verbose: boolean; stats: boolean }): Promise<{ sink: EventSink; done(): Promise<void> }> {
  const { Listr } = await import('listr2');
  const tasks: TaskEvent[] = [];
  const after: string[] = [];
  const counts = new Map<string, Record<string, number>>();
  const handles = new Map<string, { task?: ListrHandle; deferred?: Deferred }>();
  const state = new Map<string, 'waiting' | 'connecting' | 'running' | 'done' | 'failed' | 'unreachable'>();
  let summary: { task?: ListrHandle; deferred?: Deferred } | undefined;
  let total = 0;
  let running: Promise<unknown> | undefined;

  const pending = (ready: (task: ListrHandle, deferred: Deferred) => void) => (_: unknown, task: ListrHandle) =>
    new Promise<void>((resolve, reject) => ready(task, { resolve, reject }));
  /** The one live line past MANY_HOSTS hosts: how many are where. */
  const refresh = () => {
    if (!summary?.task) return;
    const by: Record<string, number> = {};
    for (const s of state.values()) by[s] = (by[s] ?? 0) + 1;
    const finished = (by.done ?? 0) + (by.failed ?? 0) + (by.unreachable ?? 0);
    summary.task.title = `${finished}/${total} hosts done` + ['running', 'connecting', 'failed', 'unreachable']
      .filter((k) => by[k]).map((k) => `, ${by[k]} ${k}`).join('');
    if (finished === total) {
      if (by.failed || by.unreachable) summary.deferred?.reject(new Error(summary.task.title));
      else summary.deferred?.resolve();
    }
  };

  const start = (e: Extract<RunEvent, { type: 'run' }>) => {
    total = e.hosts.length;
    process.stdout.write(cyan(`PLAY ${e.playbook} --env ${e.env} on ${e.hosts.length} host(s)${e.check ? ' (check mode: nothing is changed)' : ''}`) + '\n');
    e.hosts.forEach((alias) => {
      handles.set(alias, {});
      state.set(alias, 'waiting');
      counts.set(alias, { ok: 0, changed: 0, failed: 0, skipped: 0 });
    });
    const many = total > MANY_HOSTS;
    const list = many
      ? new Listr([{ title: `0/${total} hosts done`, task: pending((task, deferred) => { summary = { task, deferred }; refresh(); }) }], { exitOnError: false })
      : new Listr(
        e.hosts.map((alias) => ({
          title: `${alias}: waiting`,
          task: pending((task, deferred) => {
            Object.assign(handles.get(alias)!, { task, deferred });
            // the host may have finished before listr started its line
            const st = state.get(alias);
            if (st === 'done' || st === 'failed') hostDone(alias, st === 'failed', idle.has(alias) ? idleLine(alias) : undefined);
            if (st === 'unreachable') deferred.reject(new Error(`${alias}: UNREACHABLE`));
          }),
        })),
        { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
      );
    if (many) summary = {};
    running = list.run().catch(() => {});
  };

  /** hosts with no task in the playbook, never connected */
  const idle = new Set<string>();
  const idleLine = (alias: string) => `${alias}: nothing to do (not connected)`;
  const hostDone = (alias: string, failed: boolean, title?: string) => {
    const h = handles.get(alias);
    const c = counts.get(alias)!;
    const line = title ?? `${alias}: ok=${c.ok} changed=${c.changed}${c.failed ? ` failed=${c.failed}` : ''}`;
    state.set(alias, failed ? 'failed' : 'done');
    if (failed) h?.deferred?.reject(new Error(line));
    else if (h?.task) {
      h.task.title = line;
      h.deferred?.resolve();
    }
    refresh();
  };

  const sink: EventSink = (e) => {
    if (e.type === 'run') return start(e);
    const h = 'host' in e ? handles.get(e.host) : undefined;
    switch (e.type) {
      case 'host':
        if (e.status === 'connecting') {
          state.set(e.host, 'connecting');
          if (h?.task) h.task.title = `${e.host}: connecting`;
        }
        if (e.status === 'connected') state.set(e.host, 'running');
        if (e.status === 'unreachable') {
          state.set(e.host, 'unreachable');
          h?.deferred?.reject(new Error(`${e.host}: UNREACHABLE ${e.error?.message ?? ''}`));
          after.push(red(`UNREACHABLE  ${e.host}: ${e.error?.message ?? ''}`));
        }
        if (e.status === 'done' || e.status === 'stopped') hostDone(e.host, counts.get(e.host)!.failed > 0);
        // no task here: its line ends at once (listr waits for every line)
        if (e.status === 'idle') idle.add(e.host), hostDone(e.host, false, idleLine(e.host));
        refresh();
        break;
      case 'task:start':
        if (h?.task) h.task.title = `${e.host}: ${e.handler ? 'handler ' : ''}${e.title}`;
        break;
      case 'task':
        counts.get(e.host)![e.status]++;
        tasks.push(e);
        break;
      case 'aborted':
        after.push(red(`RUN STOPPED: ${e.reason}`));
        break;
      case 'recap':
        after.push(...taskLines(tasks, total, opts.verbose), cyan('RECAP'));
        // past a dozen hosts, hosts that ended alike share a line (--stats keeps one per host)
        if (total > MANY_HOSTS && !opts.stats) after.push(...groupedRecap(e.hosts, total));
        else after.push(...recapLines(e.hosts, opts.stats));
        break;
    }
  };

  return {
    sink,
    async done() {
      await running;
      process.stdout.write(after.join('\n') + '\n');
    },
  };
}

/** Changes and failures per task across hosts: one line for hosts that share the same outcome. */
function taskLines(tasks: TaskEvent[], total: number, verbose: boolean): string[] {
  const out: string[] = [];
  for (const l of summarizeTasks(tasks)) {
    const where = dim(`[${hostList(l.hosts, total)}]`);
    if (l.kind === 'changed') {
      out.push(`${yellow('changed')}  ${l.task}  ${l.title}  (${l.detail})  ${where}`);
      if (l.diff) out.push(colorDiff(l.diff));
    } else {
      out.push(red(`FAILED   ${l.task}  ${l.title}: ${l.detail}`) + `  ${where}`);
      if (l.stderr && verbose) out.push(l.stderr.replace(/^/gm, '    '));
    }
  }
  return out;
}

function groupedRecap(hosts: Parameters<typeof groupRecap>[0], total: number): string[] {
  return groupRecap(hosts).map((g) => {
    const color = /failed=[1-9]|unreachable=1/.test(g.counts) ? red : /changed=[1-9]/.test(g.counts) ? yellow : green;
    const time = g.minMs === g.maxMs ? seconds(g.minMs) : `${seconds(g.minMs)}–${seconds(g.maxMs)}`;
    return `${color(`${g.hosts.length} host${g.hosts.length > 1 ? 's' : ''}`)}  ${g.counts}  ${time}  ${dim(`[${hostList(g.hosts, total, 8)}]`)}`;
  });
}
