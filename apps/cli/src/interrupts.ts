/**
 * Ctrl-C, a CI cancel (SIGTERM) and a closed output pipe during a run (DESIGN §9). The first signal asks
 * the run to stop: no new task starts, running ones end, a deploy's hosts run their rescue and unlock;
 * the run then exits 130 (SIGINT) or 143 (SIGTERM). A second signal, or the rescue outlasting its bound,
 * exits at once and names the hosts that may still hold a lock. A closed stdout (`run deploy | head -3`)
 * never stops a run: output errors are ignored and the run goes on to its end.
 */
import type { EventSink, RunEvent } from '@runbook/core';

export interface Interrupts {
  /** the signal's name once one arrived */
  signal(): string | undefined;
  /** the run's events pass through: it tracks which hosts have not finished (their unlock may be pending) */
  watch(sink: EventSink): EventSink;
  /** 130 or 143 after a signal, else the run's own code */
  exitCode(code: number): number;
  dispose(): void;
}

const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** @param boundMs how long the rescue and unlock may take after the first signal */
export function interrupts(env: string, boundMs = 120_000, write = (s: string) => process.stderr.write(s)): Interrupts {
  let received: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const busy = new Set<string>();
  const left = () => [...busy].join(', ');
  const exitNow = (why: string) => {
    write(`run: ${why}: exiting now.${busy.size ? ` These hosts did not finish their rescue and unlock, a deploy lock may be left on them: ${left()}. Release it with: run unlock --env ${env}` : ''}\n`);
    process.exit(codes[received!] ?? 130);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (received) return exitNow(`second ${sig}`);
    received = sig;
    write(`run: ${sig}: stopping — no new task starts; running tasks end, then every host runs its rescue and unlock (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to exit at once)\n`);
    timer = setTimeout(() => exitNow(`the rescue and unlock took longer than ${Math.round(boundMs / 1000)} s`), boundMs);
    timer.unref();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  // a reader that went away (`| head`) must not end the run: its result still matters on the hosts
  const ignore = () => {};
  process.stdout.on('error', ignore);
  return {
    signal: () => received,
    watch: (sink) => (e: RunEvent) => {
      if (e.type === 'host') {
        if (e.status === 'connected') busy.add(e.host);
        else if (e.status === 'done') busy.delete(e.host);
      }
      try {
        sink(e);
      } catch {
        // an output error is never the run's failure
      }
    },
    exitCode: (code) => (received ? (codes[received] ?? 130) : code),
    dispose() {
      clearTimeout(timer);
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
