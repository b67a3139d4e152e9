/** Playbooks: ordered phases of tasks, built per host from the host's facts of the inventory. */
import type { FleetHost, Placement } from './fleet.js';
import type { Sourced } from './inventory/where.js';
import type { Task } from './task.js';

/** What a playbook or plugin knows about the host it is planning for. */
export interface HostInfo {
  alias: string;
  hostname: string;
  user: string;
  /** the ssh port this run connects on (the inventory's, after its ssh config); unset: 22 or a local connection */
  port?: number;
  groups: readonly string[];
  vars: Record<string, unknown>;
  /**
   * where the inventory sets each var of `vars` for this host (the top-level vars, its groups', its own),
   * lowest precedence first, with the value written there: errors in a var point at its file and line
   */
  varsFrom?: Readonly<Record<string, readonly Sourced<unknown>[]>>;
  env: string;
}

/**
 * One stage of a fleet transaction (a deploy): every host of the run finishes a stage before any host
 * starts the next.
 */
export interface Stage {
  name: string;
  tasks: Task[] | ((host: HostInfo) => Task[]);
  /** run on one host of the run only: the first that has tasks here (among those the placement names, if given) */
  once?: boolean | Placement;
  /** run batch by batch under --serial; from the first rolling stage on, a failed batch rolls every host back */
  rolling?: boolean;
}

export interface Phase {
  name: string;
  /** tags every task of the phase carries */
  tags?: string[];
  /** the phase's tasks, host by host; a phase with `stages` has none of its own */
  tasks?: Task[] | ((host: HostInfo) => Task[]);
  /**
   * A fleet transaction (DESIGN §9): the stages run in lockstep across every host of the run. Before the
   * first rolling stage, a failure on any host (or an unreachable one) fails them all; from there on a
   * failed --serial batch does. Failed, every host runs `rescue` (switch back), then `always` (unlock).
   */
  stages?: Stage[];
  /** run once at the end of the phase, in declaration order, if a task that changed something notified them */
  handlers?: Record<string, Task> | ((host: HostInfo) => Record<string, Task>);
  /** run when a task of the phase failed (the host still counts as failed), like Ansible's `rescue` */
  rescue?: Task[] | ((host: HostInfo) => Task[]);
  /** run at the end of the phase whether or not a task failed, like Ansible's `always` */
  always?: Task[] | ((host: HostInfo) => Task[]);
}

export interface PlaybookContext {
  env: string;
  config: import('./config.js').ResolvedConfig;
  /** the env's secrets, loaded before anything connects */
  secrets?: Record<string, import('./secret.js').Secret>;
  /** extra settings of the run (e.g. `rollbackTo` from `run rollback --to ID`) */
  options?: Record<string, unknown>;
  /** set by the runner under --check: nothing may change, on the hosts or elsewhere (a bucket) */
  check?: boolean;
  /** every host of the env, --limit or not: what plugins place themselves on and wire to; [] when unknown */
  fleet?: readonly FleetHost[];
  /** the hosts this run works on (set by the runner before the phases are built) */
  hosts?: readonly HostInfo[];
}

export interface Playbook {
  name: string;
  description?: string;
  phases: Phase[] | ((ctx: PlaybookContext) => Phase[] | Promise<Phase[]>);
}

/** Exists for type inference in `playbooks/*.ts`. */
export const definePlaybook = (playbook: Playbook): Playbook => playbook;
