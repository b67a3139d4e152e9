/**
 * listr2 in a terminal: a line per host that shows the task it is on, ✔ / ✖ when the host is done; the
 * changes, diffs and failures are printed under the recap once the live view has finished.
 */
import type { EventSink, RunEvent } from '@runbook/core';
import { colorDiff, cyan, recapLines, red, yellow } from './format.js';

interface Deferred {
  resolve(): void;
  reject(e: Error): void;
}

export async function ttyReporter(opts: { verbose: boolean; stats: boolean }): Promise<{ sink: EventSink; done(): Promise<void> }> {
  const { Listr } = await import('listr2');
  const after: string[] = [];
  const handles = new Map<string, { task?: { title: string; output: string }; deferred?: Deferred; counts: Record<string, number> }>();
  let running: Promise<unknown> | undefined;
  let header = '';

  const start = (e: Extract<RunEvent, { type: 'run' }>) => {
    header = cyan(`PLAY ${e.playbook} --env ${e.env} on ${e.hosts.length} host(s)${e.check ? ' (check mode: nothing is changed)' : ''}`);
    process.stdout.write(header + '\n');
    const list = new Listr(
      e.hosts.map((alias) => ({
        title: `${alias}: waiting`,
        task: (_: unknown, task: { title: string; output: string }) =>
          new Promise<void>((resolve, reject) => {
            const h = handles.get(alias)!;
            h.task = task;
            h.deferred = { resolve, reject };
          }),
      })),
      { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
    );
    e.hosts.forEach((alias) => handles.set(alias, { counts: { ok: 0, changed: 0, failed: 0, skipped: 0 } }));
    running = list.run().catch(() => {});
  };

  const sink: EventSink = (e) => {
    if (e.type === 'run') return start(e);
    const h = 'host' in e ? handles.get(e.host) : undefined;
    switch (e.type) {
      case 'host':
        if (!h?.task) return;
        if (e.status === 'connecting') h.task.title = `${e.host}: connecting`;
        if (e.status === 'unreachable') h.deferred?.reject(new Error(`${e.host}: UNREACHABLE ${e.error?.message ?? ''}`));
        if (e.status === 'done' || e.status === 'stopped') {
          const c = h.counts;
          const summary = `${e.host}: ok=${c.ok} changed=${c.changed}${c.failed ? ` failed=${c.failed}` : ''}`;
          if (c.failed) h.deferred?.reject(new Error(summary));
          else {
            h.task.title = summary;
            h.deferred?.resolve();
          }
        }
        break;
      case 'task:start':
        if (h?.task) h.task.title = `${e.host}: ${e.handler ? 'handler ' : ''}${e.title}`;
        break;
      case 'task':
        if (!h) return;
        h.counts[e.status]++;
        if (e.status === 'changed') {
          after.push(`${yellow('changed')}  ${e.host}  ${e.task}  ${e.title}  (${e.changes?.join('; ') ?? ''})`);
          if (e.diff) after.push(colorDiff(e.diff));
        }
        if (e.status === 'failed') {
          after.push(red(`FAILED   ${e.host}  ${e.task}  ${e.title}: ${e.error?.message ?? ''}`));
          if (e.error?.stderr && opts.verbose) after.push(e.error.stderr.replace(/^/gm, '    '));
        }
        break;
      case 'aborted':
        after.push(red(`RUN STOPPED: ${e.reason}`));
        break;
      case 'recap':
        after.push(cyan('RECAP'), ...recapLines(e.hosts, opts.stats));
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
