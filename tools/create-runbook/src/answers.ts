/**
 * One answer per question: the flag's value, else the default under --yes, else a prompt on a terminal.
 * Without a terminal (CI) and without --yes, every question left open is an error naming its flag —
 * all of them at once, so one retry suffices.
 */
import { createInterface } from 'node:readline/promises';

export class UsageError extends Error {}

export interface Question {
  /** the flag that answers it, as the user types it: `--envs prod,stg` */
  flag: string;
  prompt: string;
  default?: string;
  /** checks an answer; returns an error message, or undefined when fine */
  check?: (answer: string) => string | undefined;
}

export interface Asker {
  ask(q: Question, given: string | undefined): Promise<string>;
  /** throws the collected missing answers, if any */
  finish(): void;
  close(): void;
}

export interface AskerOptions {
  yes: boolean;
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export function createAsker(o: AskerOptions): Asker {
  const missing: string[] = [];
  const tty = !!o.input.isTTY;
  let rl: ReturnType<typeof createInterface> | undefined;
  const fail = (q: Question, answer: string, why: string): never => {
    throw new UsageError(`${q.flag.split(' ')[0]} ${JSON.stringify(answer)}: ${why}`);
  };
  return {
    async ask(q, given) {
      if (given !== undefined) {
        const why = q.check?.(given);
        return why ? fail(q, given, why) : given;
      }
      if (o.yes || !tty) {
        if (o.yes && q.default !== undefined) return q.default;
        missing.push(`${q.flag}${q.default !== undefined ? ` (default: ${q.default})` : ''}`);
        return q.default ?? '';
      }
      rl ??= createInterface({ input: o.input, output: o.output });
      for (;;) {
        const answer = (await rl.question(`${q.prompt}${q.default ? ` (${q.default})` : ''}: `)).trim() || q.default || '';
        const why = answer ? q.check?.(answer) : 'an answer is needed';
        if (!why) return answer;
        o.output.write(`  ${why}\n`);
      }
    },
    finish() {
      if (!missing.length) return;
      const how = o.yes ? 'these have no default' : 'stdin is not a terminal, so nothing is asked; or --yes for the defaults';
      throw new UsageError(`missing answers (${how}):\n${missing.map((m) => `  ${m}`).join('\n')}`);
    },
    close: () => rl?.close(),
  };
}
