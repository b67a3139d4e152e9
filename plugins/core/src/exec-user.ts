/**
 * Who an exec runs as when its steps belong to tasks of several users. Root can run another user's
 * steps inside its own exec (`runuser`, steps.ts), so a deploy's root steps and its app user's build
 * steps share execs instead of alternating between `sudo` and `sudo -u app`.
 */
import type { RunAs } from './remote.js';
import type { StepSpec } from './steps.js';

/** A task's runAs with the name of the user it ends up as (run-task.ts runAsFor). */
export type Who = RunAs & { name: string };

export const sameUser = (a: RunAs, b: RunAs): boolean => a.sudo === b.sudo && a.user === b.user;
const isRoot = (r: Who) => r.name === 'root';
const isOtherUser = (r: Who) => r.sudo && Boolean(r.user) && !isRoot(r);

/**
 * Who an exec of steps of `exec` and `next` runs as, or undefined when they cannot share one: the same
 * user, or root and another user (`becomeUser`), whose steps then run through `runuser` inside root's
 * exec. Two other users share one only with a root step among them (root is then known to be allowed).
 */
export function execUser(exec: Who, next: Who): Who | undefined {
  if (sameUser(exec, next)) return exec;
  if (isRoot(exec) && isOtherUser(next)) return exec;
  if (isOtherUser(exec) && isRoot(next)) return next;
  return undefined;
}

/** Who an exec of steps of these users (each joinable, in order) runs as. */
export const usersExec = (users: Who[]): Who => users.slice(1).reduce((exec, u) => execUser(exec, u) ?? exec, users[0]);

/** A step of a task run as `who` in an exec run as `exec`. */
export const asIn = (step: StepSpec, who: Who, exec: Who): StepSpec => (sameUser(who, exec) ? step : { ...step, user: who.user ?? who.name });
