/** One line per task result: for CI logs and pipes. */
import type { EventSink } from '@runbook/core';
import { colorDiff, cyan, recapLines, red, seconds, statusWord } from './format.js';

export function plainReporter(opts: { verbose: boolean; stats: boolean; write?: (s: string) => void }): EventSink {
  const write = opts.write ?? ((s: string) => process.stdout.write(s + '\n'));
  return (e) => {
    switch (e.type) {
      case 'run':
        write(cyan(`PLAY ${e.playbook} --env ${e.env} on ${e.hosts.length} host(s)${e.check ? ' (check mode: nothing is changed)' : ''}`));
        break;
      case 'host':
        if (e.status === 'unreachable') write(red(`${e.host}  UNREACHABLE  ${e.error?.message ?? ''}`));
        break;
      case 'task': {
        const word = (statusWord[e.status] ?? String)(e.status.toUpperCase().padEnd(7));
        const detail = e.error ? e.error.message : e.changes?.join('; ') ?? (opts.verbose ? e.reason : undefined);
        write(`${e.host}  ${word}  ${e.handler ? 'handler ' : ''}${e.task}  ${e.title}${detail ? `  (${detail})` : ''}`);
        if (e.error?.stderr && opts.verbose) write(e.error.stderr.replace(/^/gm, '    '));
        if (e.diff) write(colorDiff(e.diff));
        break;
      }
      case 'aborted':
        write(red(`RUN STOPPED: ${e.reason}`));
        break;
      case 'recap':
        write(cyan('RECAP'));
        recapLines(e.hosts, opts.stats).forEach((l) => write(l));
        break;
    }
  };
}

export { seconds };
