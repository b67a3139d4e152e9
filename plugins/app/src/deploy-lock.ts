/**
 * `app.lock` / `app.unlock`: one deploy (or rollback) at a time per app and host. The lock is a directory,
 * `<root>/.deploy-lock`, made with `mkdir` (atomic: of two deploys racing, exactly one succeeds) with an
 * `info` file inside that says who holds it, since when, with which command, for which release.
 * A run only ever removes a lock that names its own id.
 */
import { hostname } from 'node:os';
import { changes, defineTask, noop, quote, RunbookError, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, lockDir, type AppState, type LockInfo } from './app-state.js';

export interface DeployLockOptions {
  /** the app root @example '/srv/shop' */
  root: string;
  /** the env, for the `run unlock --env` the message names */
  env?: string;
  /** who takes the lock, for what */
  info: LockInfo;
}

export interface DeployUnlockOptions {
  root: string;
  /** the id of the run whose lock to release; a lock with another id is left alone */
  id: string;
}

const when = (state: AppState): string => {
  const { info, since } = state.lock!;
  return info?.since ?? new Date(since * 1000).toISOString();
};

/** Who holds a lock, since when, for what: `ann@laptop since 2026-11-24T06:11:00Z for release R (run deploy --env stg)`. */
export function lockHolder(state: AppState): string {
  const info = state.lock!.info;
  return info
    ? `${info.who} since ${when(state)} for release ${info.release}${info.command ? ` (${info.command})` : ''}`
    : `someone (no info file) since ${when(state)}`;
}

/** Whether the run that took the lock is provably gone: it ran on this machine, and its process is not there. */
export function holderGone(info: LockInfo | undefined, here = hostname(), alive = processAlive): boolean {
  return Boolean(info?.pid && info.who.endsWith(`@${here}`) && !alive(info.pid));
}

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The message for a lock held by another run: who, since when, what, and the one command that releases it. */
export function heldMessage(root: string, state: AppState, host: string, env = '<env>'): string {
  const gone = holderGone(state.lock!.info) ? ` The run that took it (pid ${state.lock!.info!.pid} on this machine) has ended without releasing it.` : ' If no deploy is running any more,';
  return `deploy lock ${lockDir(root)} is held by ${lockHolder(state)}.${gone} release it with: run unlock --env ${env} --limit ${host}`;
}

export const deployLockType: TaskType<DeployLockOptions, { state: AppState }> = {
  name: 'app.lock',
  describe: (o) => lockDir(o.root),
  facts: (o) => ({ state: appStateFact(o.root) }),
  // its plan reads the root's existence and the lock only
  touches: (o) => [`tree:${lockDir(o.root)}`],
  check({ state }, o, ctx) {
    if (!state.root) throw new RunbookError('E_COMMAND', `${o.root} does not exist: run configure first`);
    if (!state.lock) return changes([`take the deploy lock ${lockDir(o.root)} for ${o.info.release}`]);
    if (state.lock.info?.release === o.info.release) return noop(`the deploy lock is already held by this run (${o.info.release})`);
    throw new RunbookError('E_COMMAND', heldMessage(o.root, state, ctx.alias, o.env));
  },
  apply(_plan, o) {
    const l = quote(lockDir(o.root));
    const script = [
      `l=${l}`,
      // mkdir is the lock: it fails when another run made the directory since the facts were read
      `if ! mkdir -m 0700 -- "$l" 2>/dev/null; then echo "deploy lock $l was taken meanwhile: $(cat -- "$l/info" 2>/dev/null || echo 'no info')" >&2; exit 1; fi`,
      // who holds it is for the team's deploy users, not for every account on the host
      `(umask 077 && printf '%s\\n' ${quote(JSON.stringify(o.info))} > "$l/info.tmp")`,
      `mv -f -- "$l/info.tmp" "$l/info"`,
    ].join('\n');
    return [{ script, display: `mkdir ${lockDir(o.root)}` }];
  },
};

export const deployUnlockType: TaskType<DeployUnlockOptions, { state: AppState }> = {
  name: 'app.unlock',
  describe: (o) => lockDir(o.root),
  facts: (o) => ({ state: appStateFact(o.root) }),
  check({ state }, o) {
    // the last task of a deploy or rollback: what the host serves from now on, for the recap
    const report = { release: currentRelease(state, o.root) ?? 'none' };
    if (!state.lock) return noop('no deploy lock', report);
    const holder = state.lock.info?.release;
    if (holder !== o.id) return noop(`the deploy lock is held by ${holder ? `${state.lock.info!.who} for ${holder}` : 'someone else (no info)'}, not this run: left alone`, report);
    return changes([`release the deploy lock ${lockDir(o.root)}`], { report });
  },
  apply(_plan, o) {
    const l = quote(lockDir(o.root));
    // re-tested: only a lock that still names this run is removed
    const script = [
      `l=${l}`,
      `grep -qF ${quote(`"release":${JSON.stringify(o.id)}`)} "$l/info" 2>/dev/null || exit 0`,
      `rm -rf -- "$l"`,
    ].join('\n');
    return [{ script, display: `rm -rf ${lockDir(o.root)}` }];
  },
};

/**
 * Takes the deploy lock, or fails naming who holds it.
 * @example deployLock({ root: '/srv/shop', info: { release: '20261124T061100Z', who: 'ann@laptop', since: '2026-11-24T06:11:00Z', command: 'run deploy --env stg' } })
 */
export const deployLock = defineTask(deployLockType);
/**
 * Releases the deploy lock if (and only if) it names this run.
 * @example deployUnlock({ root: '/srv/shop', id: '20261124T061100Z' })
 */
export const deployUnlock = defineTask(deployUnlockType);
