/**
 * A fake host for table tests of tasks: a `Connection` that answers fact commands from a table (or a
 * function) and records the commands a task applies, so a test runs a task's facts → check → apply
 * through core's real executor (`runTasks`) without any host. It understands core's framed scripts
 * (steps.ts): fact steps (run without `set -e`) are answered from the table; apply steps (`set -e`) are
 * recorded and succeed unless `onApply` says otherwise. A fact command with no answer fails the task with
 * a message naming the command, so a test never passes on a guess.
 */
import {
  newStats, runTasks, type Connection, type ExecOptions, type ExecResult, type Task, type TaskResult, type TaskStatus,
} from '@runbook/core';
import { hostState, type HostState } from './host-state.js';

/** What a step prints and returns: a string is stdout with exit status 0. */
export type FakeAnswer = string | { stdout?: string; stderr?: string; code?: number };

/** Fact answers: exact command → answer, or a function (undefined = no answer). */
export type FactTable = Record<string, FakeAnswer> | ((command: string) => FakeAnswer | undefined);

export interface FakeHostOptions {
  /** @default 'fake' */
  alias?: string;
  facts?: FactTable;
  /**
   * The host's files, directories, symlinks, systemd units and packages by meaning, answering
   * @runbook/system's fact commands (host-state.ts); consulted after `facts`. Mutate it in `onApply`
   * to show a second run the changed host.
   * @example { files: { '/etc/x': { content: 'a\n', mode: '0600' } }, units: { 'x.service': { active: true, enabled: true } } }
   */
  state?: HostState;
  /**
   * Called for each applied command before it "runs": return an answer to make it fail or print, nothing
   * for success. The place to change the fake's state (`fake.answer(cmd, …)`) so a second run sees it.
   */
  onApply?: (script: string, fake: FakeConnection) => FakeAnswer | void;
}

/** One step of an exec as the executor framed it. */
export interface FakeStep {
  script: string;
  /** apply steps run under `set -e`; fact steps do not */
  kind: 'fact' | 'apply';
  stopOnFailure: boolean;
}

export interface FakeExec {
  /** the remote command line (`sh -s`, with `sudo -n …` when the task runs as another user) */
  command: string;
  sudo: boolean;
  steps: FakeStep[];
}

/** Splits a framed script (core's frameSteps) back into its steps. */
export function parseFramedScript(script: string): FakeStep[] {
  const first = /printf '\\n<<RB:([0-9a-f]+):0\\n'; /.exec(script);
  if (!first) return [];
  const nonce = first[1];
  const steps: FakeStep[] = [];
  for (let i = 0; ; i++) {
    const open = `printf '\\n<<RB:${nonce}:${i}\\n'; printf '\\n<<RB:${nonce}:${i}\\n' >&2\n( `;
    const start = script.indexOf(open);
    if (start < 0) break;
    const close = `\n) </dev/null; __rb_c=$?\nprintf '\\n>>RB:${nonce}:${i}:%s\\n'`;
    const end = script.indexOf(close, start);
    if (end < 0) throw new Error(`fake host: step ${i} of a framed script has no end`);
    let body = script.slice(start + open.length, end);
    const errexit = body.startsWith('set -e; ');
    if (errexit) body = body.slice('set -e; '.length);
    const after = script.slice(end + close.length).split('\n').slice(0, 2).join('\n');
    steps.push({ script: body, kind: errexit ? 'apply' : 'fact', stopOnFailure: after.includes('[ "$__rb_c" -eq 0 ] || exit') });
  }
  return steps;
}

const norm = (a: FakeAnswer): { stdout: string; stderr: string; code: number } =>
  typeof a === 'string' ? { stdout: a, stderr: '', code: 0 } : { stdout: a.stdout ?? '', stderr: a.stderr ?? '', code: a.code ?? 0 };

export class FakeConnection implements Connection {
  readonly alias: string;
  readonly stats = newStats();
  /** every exec, in order */
  readonly execs: FakeExec[] = [];
  /** scripts of applied commands, in order */
  readonly applied: string[] = [];
  /** fact commands read, in order (a command read twice appears twice) */
  readonly factsRead: string[] = [];
  private readonly table = new Map<string, FakeAnswer>();
  private readonly fn?: (command: string) => FakeAnswer | undefined;
  private readonly fromState?: (command: string) => FakeAnswer | undefined;
  private readonly onApply?: FakeHostOptions['onApply'];

  constructor(opts: FakeHostOptions = {}) {
    this.alias = opts.alias ?? 'fake';
    if (typeof opts.facts === 'function') this.fn = opts.facts;
    else for (const [k, v] of Object.entries(opts.facts ?? {})) this.table.set(k, v);
    this.onApply = opts.onApply;
    if (opts.state) this.fromState = hostState(opts.state);
  }

  /** Sets (or replaces) the answer to one fact command: the host's state after a change. */
  answer(command: string, answer: FakeAnswer): this {
    this.table.set(command, answer);
    return this;
  }

  private factAnswer(command: string): FakeAnswer {
    const a = this.table.get(command) ?? this.fn?.(command) ?? this.fromState?.(command);
    if (a === undefined) throw new Error(`fake host ${this.alias}: no answer for the fact command:\n${command}`);
    return a;
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.stats.execs++;
    const stdin = opts.stdin === undefined ? '' : opts.stdin.toString();
    this.stats.bytesSent += command.length + stdin.length;
    const steps = parseFramedScript(stdin);
    this.execs.push({ command, sudo: /^sudo -n /.test(command), steps });
    const nonce = /<<RB:([0-9a-f]+):0/.exec(stdin)?.[1] ?? '';
    let stdout = '';
    let stderr = '';
    let code = 0;
    for (const [i, step] of steps.entries()) {
      let r: { stdout: string; stderr: string; code: number };
      if (step.kind === 'fact') {
        this.factsRead.push(step.script);
        r = norm(this.factAnswer(step.script));
      } else {
        this.applied.push(step.script);
        r = norm(this.onApply?.(step.script, this) ?? '');
      }
      stdout += `\n<<RB:${nonce}:${i}\n${r.stdout}\n>>RB:${nonce}:${i}:${r.code}\n`;
      stderr += `\n<<RB:${nonce}:${i}\n${r.stderr}\n>>RB:${nonce}:${i}\n`;
      if (r.code !== 0 && step.stopOnFailure) {
        code = r.code;
        break;
      }
    }
    this.stats.bytesReceived += stdout.length + stderr.length;
    return { stdout, stderr, code };
  }

  /** Runs tasks through core's executor on this fake host (login user root unless given). */
  run(tasks: Task[], opts: { check?: boolean; user?: string; vars?: Record<string, unknown> } = {}): Promise<FakeRun> {
    return runOn(this, tasks, opts);
  }

  async close(): Promise<void> {}
}

/** A fake host: `fakeHost({ facts: { 'cat /etc/x': 'old\n' } })`. */
export const fakeHost = (opts: FakeHostOptions = {}): FakeConnection => new FakeConnection(opts);

export interface FakeRun {
  /** false when a task failed (the list stops there) */
  ok: boolean;
  results: TaskResult[];
  statuses: TaskStatus[];
  /** commands applied during this run */
  applied: string[];
  /** execs this run cost */
  execs: number;
}

/** Runs tasks on any connection through core's `runTasks` and collects the results. */
export async function runOn(
  conn: Connection,
  tasks: Task[],
  opts: { check?: boolean; user?: string; vars?: Record<string, unknown> } = {},
): Promise<FakeRun> {
  const results: TaskResult[] = [];
  const appliedBefore = conn instanceof FakeConnection ? conn.applied.length : 0;
  const execsBefore = conn.stats.execs;
  const ok = await runTasks(conn, tasks, { alias: conn.alias, user: opts.user ?? 'root', vars: opts.vars ?? {}, check: opts.check ?? false }, {
    start: () => {},
    done: (_t, r) => void results.push(r),
  });
  return {
    ok,
    results,
    statuses: results.map((r) => r.status),
    applied: conn instanceof FakeConnection ? conn.applied.slice(appliedBefore) : [],
    execs: conn.stats.execs - execsBefore,
  };
}
