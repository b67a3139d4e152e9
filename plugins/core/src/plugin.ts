/**
 * The plugin contract (DESIGN §4–5): a plain object with a name, made by a factory with typed options.
 * Plugins contribute tasks to the `configure` and `deploy` playbooks; the site model arrives with the
 * Django stack.
 */
import type { HostInfo } from './playbook.js';
import type { Task } from './task.js';

export interface PlanContext extends HostInfo {}

export interface Plugin {
  name: string;
  configure?(ctx: PlanContext): Task[];
  deploy?(ctx: PlanContext): Task[];
  handlers?(ctx: PlanContext): Record<string, Task>;
}

/** Exists for type inference. Lists in config accept `false`, so `env === 'prod' && tls()` reads naturally. */
export const definePlugin = <P extends Plugin>(plugin: P): P => plugin;
