/** Playbooks: ordered phases of tasks, built per host from the host's facts of the inventory. */
import type { Task } from './task.js';

/** What a playbook or plugin knows about the host it is planning for. */
export interface HostInfo {
  alias: string;
  hostname: string;
  user: string;
  groups: readonly string[];
  vars: Record<string, unknown>;
  env: string;
}

export interface Phase {
  name: string;
  /** tags every task of the phase carries */
  tags?: string[];
  tasks: Task[] | ((host: HostInfo) => Task[]);
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
}

export interface Playbook {
  name: string;
  description?: string;
  phases: Phase[] | ((ctx: PlaybookContext) => Phase[] | Promise<Phase[]>);
}

/** Exists for type inference in `playbooks/*.ts`. */
export const definePlaybook = (playbook: Playbook): Playbook => playbook;
