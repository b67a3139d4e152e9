/**
 * `app.current`: `<root>/current` → a release, switched atomically (`ln -sfn` to a temp name, then
 * `mv -T` over the old link). Where it pointed before is written to the deploy lock (`previous`), so a
 * rescue or the end of a rollback knows what this run replaced.
 */
import { changes, defineTask, errors, noop, quote, type Command, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, lockDir, type AppState } from './app-state.js';

export interface SwitchCurrentOptions {
  root: string;
  /** the release to make current */
  id: string;
  owner: string;
  group: string;
}

/** The commands that switch `current` from `from` (the target read as a fact; '' = none) to `to`. */
export function switchScript(root: string, from: string, to: string, owner: string, group: string): Command {
  const script = [
    `r=${quote(root)}`,
    `cur=$(readlink -- "$r/current" || :)`,
    `[ "$cur" != ${quote(to)} ] || exit 0`,
    `[ "$cur" = ${quote(from)} ] || { echo "$r/current changed since its facts were read (now: $cur); not switching" >&2; exit 1; }`,
    `[ ! -d "$r/.deploy-lock" ] || [ -f "$r/.deploy-lock/previous" ] || printf '%s' "$cur" > "$r/.deploy-lock/previous"`,
    `ln -sfn -- ${quote(to)} "$r/.current.tmp"`,
    `chown -h ${quote(`${owner}:${group}`)} -- "$r/.current.tmp"`,
    `mv -T -- "$r/.current.tmp" "$r/current"`,
  ].join('\n');
  return { script, display: `ln -sfn ${to} ${root}/current` };
}

export const switchCurrentType: TaskType<SwitchCurrentOptions, { state: AppState }> = {
  name: 'app.current',
  describe: (o) => `${o.root}/current → releases/${o.id}`,
  facts: (o) => ({ state: appStateFact(o.root, o.id) }),
  // it reads current and the release's REVISION; it changes current and writes `previous` into the lock
  touches: (o) => [`path:${o.root}/current`, `path:${o.root}/releases/${o.id}/REVISION`, `tree:${lockDir(o.root)}`],
  check({ state }, o) {
    const target = `${o.root}/releases/${o.id}`;
    if (currentRelease(state, o.root) === o.id) return noop(`current → ${target}`);
    const change = `switch current: ${state.current ?? '(none)'} → ${target}`;
    // under --check the release is only predicted (nothing unpacked): the engine reports this switch
    if (!state.revision) throw errors.missing('E_COMMAND', `${target} has no REVISION (incomplete release): not switching to it`, `${target}/REVISION`, [change]);
    return changes([change], { state: { from: state.current ?? '' } });
  },
  apply(plan, o) {
    return [switchScript(o.root, (plan.state as { from: string }).from, `${o.root}/releases/${o.id}`, o.owner, o.group)];
  },
};

/**
 * Points `<root>/current` at a release, atomically.
 * @example switchCurrent({ root: '/srv/shop', id: '20261124T061100Z', owner: 'shop', group: 'shop' })
 */
export const switchCurrent = defineTask(switchCurrentType);
