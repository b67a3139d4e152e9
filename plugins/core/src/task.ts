/**
 * The task contract (DESIGN §4). A task type reads facts, compares them with the desired state in a pure
 * `check`, and emits guarded commands for the resulting plan. Because `check` is pure and `apply` only
 * carries out its plan, `--check` and a real run cannot disagree, and the engine is free to batch the
 * facts of many tasks into one remote exec.
 */
import { errors } from './errors.js';

/** What a fact command produced on the host. */
export interface FactOutput {
  stdout: string;
  stderr: string;
  /** exit status of the fact command; non-zero is often meaningful (e.g. "file absent") */
  code: number;
}

/** One thing a task reads on the host: a shell snippet and a parser for its output. */
export interface FactRequest<T> {
  command: string;
  parse(output: FactOutput): T;
  /**
   * read just before its own task, never ahead with the facts of earlier tasks: for facts that wait or
   * depend on the moment (a health check with retries) @default false
   */
  late?: boolean;
  /**
   * Facts of one kind that many tasks read (the state of a path) can be read by one command for all of
   * them: one `stat` for 30 paths instead of 30. The engine merges the requests of a kind that share an
   * exec; `command` stays the way to read this one alone.
   */
  group?: FactGroup;
}

/** How requests of one kind are read together (see FactRequest.group). */
export interface FactGroup {
  /** requests with the same kind share one command, e.g. `file.state` */
  kind: string;
  /** what this request contributes to the shared command, e.g. its path */
  arg: unknown;
  /** the one command for the args of every request in the group, in order */
  command(args: unknown[]): string;
  /** that command's output, split into what each request's own command would have produced, in order */
  split(output: FactOutput, args: unknown[]): FactOutput[];
}

export type FactRequests<F> = { [K in keyof F]: FactRequest<F[K]> };

/** A plan that changes something. `state` carries whatever `apply` needs that `check` computed. */
export interface Changes<S = unknown> {
  changes: string[];
  /** unified diff of file content, shown under --diff */
  diff?: string;
  state?: S;
  /** what the host is left with, for the recap, once this task is done @example { release: '20261124T061100Z-3f9a1c' } */
  report?: Record<string, string>;
}
/** A plan that changes nothing must say why. */
export interface NoChange {
  noop: string;
  /** what the host is left with, for the recap (see Changes.report) */
  report?: Record<string, string>;
  /**
   * The changes to predict instead under --check once an earlier change of the host's run is pending
   * (predicted, not applied), when what made this a no-op is what such a change would alter: a
   * command's `onlyIf` guard that fails because the file it tests is not there yet.
   * @example ['run manage.py migrate (if an earlier change makes `test -f manage.py` succeed)']
   */
  ifEarlierChanges?: string[];
}
export type Plan<S = unknown> = Changes<S> | NoChange;

export const isNoop = (plan: Plan<unknown>): plan is NoChange => 'noop' in plan;
export const noop = (reason: string, report?: Record<string, string>): NoChange => ({ noop: reason, ...(report ? { report } : {}) });
export const changes = <S>(list: string[], extra: Omit<Changes<S>, 'changes'> = {}): Changes<S> => ({
  changes: list,
  ...extra,
});

/** A remote step: a shell snippet run under `set -e`, and what to call it in output and errors. */
export interface Command {
  script: string;
  /** shown in progress and errors instead of the script (scripts may carry file content) */
  display: string;
  /** needs the forwarded ssh agent: SSH_AUTH_SOCK is kept through sudo (e.g. `git fetch` over ssh as root) */
  agent?: boolean;
  /**
   * Commands of one kind that follow each other in an exec can be carried out by one script: 20 files
   * written into a directory by one `mv` instead of 20 (every program started on a host costs a
   * millisecond or two of its CPU, and a first run starts hundreds). `script` stays the way to run
   * this command alone.
   */
  group?: CommandGroup;
}

/** How consecutive commands of one kind are carried out together (see Command.group). */
export interface CommandGroup {
  /** consecutive commands with the same kind share one script, e.g. `file.write` */
  kind: string;
  /** what this command contributes to the shared script */
  arg: unknown;
  /**
   * The one script for the args of consecutive commands of this kind, in order, run under `set -e`.
   * `mark(i)` is a shell line to put before the part that carries out member i: when the script fails,
   * the task of the last member marked is reported as the failed one, and the members before it as
   * done. So mark a member only once everything for the members before it is done.
   */
  script(args: unknown[], mark: (index: number) => string): string;
}

/** What a task knows about where it runs. */
export interface TaskContext {
  alias: string;
  /** the login user */
  user: string;
  /** the user the task's commands run as (root under become) */
  runAs: string;
  vars: Record<string, unknown>;
  check: boolean;
}

export interface TaskType<O, F = Record<string, unknown>, S = unknown> {
  /** named after the resource: `file.content`, `systemd.unit` */
  name: `${string}.${string}`;
  /** the progress line, e.g. `/etc/nginx/sites-available/app` */
  describe(options: O): string;
  /** throws an E_OPTIONS error for options that cannot work; runs before anything connects */
  validate?(options: O): void;
  facts(options: O, ctx: TaskContext): FactRequests<F>;
  check(facts: F, options: O, ctx: TaskContext): Plan<S>;
  apply(plan: Changes<S>, options: O, ctx: TaskContext): Command[];
  /**
   * Resource keys (resources.ts) for everything this task's facts read and its apply changes:
   * `path:/etc/x`, `tree:/srv/app`, `user:deploy`. With them the engine may apply this task's change in
   * the same exec as earlier ones that touch other keys. Without them the task is assumed to read and
   * change anything: its facts are re-read after every earlier change and later tasks re-read theirs.
   */
  touches?(options: O, ctx: TaskContext): string[] | undefined;
  /**
   * True when the apply may change anything, though the facts read only the `touches` keys (a guarded
   * command: its `creates` path is all it reads). Such a task may still close a batch of independent
   * changes, and every task after it reads its facts afresh.
   */
  changesAnything?(options: O): boolean;
}

/** Options every task accepts besides its own. */
export interface CommonOptions {
  /** replaces the generated progress line */
  title?: string;
  /** for --tags / --skip-tags */
  tags?: string[];
  /** handlers to run once at the end of the phase if this task changed something */
  notify?: string | string[];
  /** run through `sudo -n` (default: true when the login user is not root) */
  become?: boolean;
  /** run as this user (through sudo) instead of root */
  becomeUser?: string;
  /** skip the task when false */
  when?: boolean;
}

/** A task type bound to its options: what playbooks and plugins list. */
export interface Task<O = any> {
  readonly type: TaskType<O, any, any>;
  readonly options: O;
  readonly title: string;
  readonly tags: readonly string[];
  readonly notify: readonly string[];
  readonly become?: boolean;
  readonly becomeUser?: string;
  readonly when: boolean;
}

export type TaskFactory<O> = ((options: O & CommonOptions) => Task<O>) & { readonly type: TaskType<O, any, any> };

const commonKeys = new Set(['title', 'tags', 'notify', 'become', 'becomeUser', 'when']);

/** Turns a task type into the factory playbooks call: `file({ path, content })`. */
export function defineTask<O, F, S>(type: TaskType<O, F, S>): TaskFactory<O> {
  const factory = (all: O & CommonOptions): Task<O> => {
    if (!all || typeof all !== 'object') throw errors.options(`${type.name}: options must be an object`);
    const options = Object.fromEntries(Object.entries(all).filter(([k]) => !commonKeys.has(k))) as O;
    const { title, tags = [], notify = [], become, becomeUser, when = true } = all as CommonOptions;
    try {
      type.validate?.(options);
    } catch (e) {
      if (e instanceof Error) e.message = `${type.name}: ${e.message}`;
      throw e;
    }
    return {
      type: type as TaskType<O, any, any>,
      options,
      title: title ?? type.describe(options),
      tags,
      notify: typeof notify === 'string' ? [notify] : notify,
      become,
      becomeUser,
      when,
    };
  };
  return Object.assign(factory, { type: type as TaskType<O, any, any> });
}
