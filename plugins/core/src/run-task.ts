/** What running a task on a host produces, and who its commands run as. The executor is run-tasks.ts. */
import type { RunbookError } from './errors.js';
import type { RunAs } from './remote.js';
import type { Task } from './task.js';

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

export interface TaskResult {
  /** the task type, e.g. `file.content` */
  task: string;
  title: string;
  status: TaskStatus;
  /** what changed (or would change under --check) */
  changes?: string[];
  /** why nothing changed, or why the task was skipped */
  reason?: string;
  diff?: string;
  /** what the host is left with, for the recap (Plan.report) */
  report?: Record<string, string>;
  error?: RunbookError;
  ms: number;
}

export interface HostRunContext {
  alias: string;
  /** the login user of the connection */
  user: string;
  /** the host's default for become (inventory), else: become when the login user is not root */
  become?: boolean;
  vars: Record<string, unknown>;
  check: boolean;
}

/** Who a task's commands run as: sudo when asked, or by default for a non-root login. */
export function runAsFor(task: Pick<Task, 'become' | 'becomeUser'>, host: HostRunContext): RunAs & { name: string } {
  if (task.becomeUser) return { sudo: true, user: task.becomeUser, name: task.becomeUser };
  const become = task.become ?? host.become ?? host.user !== 'root';
  if (become && host.user !== 'root') return { sudo: true, name: 'root' };
  return { sudo: false, name: host.user };
}
