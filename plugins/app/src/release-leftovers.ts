/**
 * `app.leftovers`: what earlier deploys left half done goes before a new release is made, so a host
 * holds whole releases only. A deploy that failed is cleaned up by its rescue; one that was killed
 * (power, SIGKILL, a lost host) leaves a release directory without a REVISION or without a record, or a
 * temp directory of its code fetch. None of them is `current`, none was ever recorded good: garbage.
 * Runs under this run's lock, in the prepare stage, before the free-space check (it frees space).
 */
import { changes, defineTask, noop, quote, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, type AppState } from './app-state.js';

export interface ReleaseLeftoversOptions {
  root: string;
  /** this run's release: never a leftover (a second deploy of one id resumes its build) */
  id: string;
}

export interface Leftovers {
  /** release ids: no REVISION, no record, or recorded failed; never current */
  releases: string[];
  /** `releases/.rb.*` temp directories */
  temps: string[];
}

/** Pure: the leftovers in a host's release state. */
export function findLeftovers(state: AppState, root: string, id: string): Leftovers {
  const current = currentRelease(state, root);
  const complete = new Set(state.complete ?? []);
  const releases = state.releases.filter((r) => {
    if (r === current || r === id) return false;
    const status = state.records[r]?.status;
    return !complete.has(r) || status === undefined || status === 'failed';
  });
  return { releases, temps: state.temps ?? [] };
}

const why = (state: AppState, id: string): string => {
  if (!(state.complete ?? []).includes(id)) return 'incomplete: no REVISION';
  return state.records[id] ? 'recorded failed' : 'never recorded: its deploy did not finish';
};

export const releaseLeftoversType: TaskType<ReleaseLeftoversOptions, { state: AppState }, Leftovers> = {
  name: 'app.leftovers',
  describe: (o) => `leftovers of unfinished deploys in ${o.root}/releases`,
  facts: (o) => ({ state: appStateFact(o.root) }),
  // its plan reads the release directories and current; it removes directories under releases/
  touches: (o) => [`tree:${o.root}/releases`, `path:${o.root}/current`],
  check({ state }, o) {
    if (!state.root) return noop(`${o.root} does not exist yet`);
    const found = findLeftovers(state, o.root, o.id);
    if (found.releases.length === 0 && found.temps.length === 0) return noop('no release directory left half done');
    const list = [
      ...found.releases.map((r) => `remove release ${r} (${why(state, r)})`),
      ...(found.temps.length ? [`remove temp dir${found.temps.length > 1 ? 's' : ''} ${found.temps.map((d) => `releases/${d}`).join(', ')}`] : []),
    ];
    return changes(list, { state: found });
  },
  apply(plan, o) {
    const { releases, temps } = plan.state!;
    const lines = [`r=${quote(o.root)}`, `cur=$(readlink -- "$r/current" || :)`];
    // re-tested: never the release current points at (nothing switches under our lock, but a link is cheap to read)
    for (const id of releases) lines.push(`[ "$cur" = ${quote(`${o.root}/releases/${id}`)} ] || rm -rf -- ${quote(`${o.root}/releases/${id}`)}`);
    for (const d of temps) lines.push(`rm -rf -- ${quote(`${o.root}/releases/${d}`)}`);
    return [{ script: lines.join('\n'), display: `rm -rf ${[...releases, ...temps].map((d) => `releases/${d}`).join(' ')}` }];
  },
};

/**
 * Removes release directories that earlier, unfinished deploys left (never `current`, never this run's).
 * @example releaseLeftovers({ root: '/srv/shop', id: '20261124T061100Z-3f9a1c' })
 */
export const releaseLeftovers = defineTask(releaseLeftoversType);
