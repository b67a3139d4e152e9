/** NDJSON on stdout: one event per task result (and unreachable hosts); the last line is the recap. */
import type { EventSink } from '@runbook/core';

export function jsonReporter(write: (s: string) => void = (s) => process.stdout.write(s + '\n')): EventSink {
  return (e) => {
    if (e.type === 'task' || e.type === 'recap' || e.type === 'aborted' || (e.type === 'host' && e.status === 'unreachable')) {
      write(JSON.stringify(e));
    }
  };
}
