/**
 * `app.prune-venvs`: after the releases are pruned, the venvs under `<root>/.venvs/` that no remaining
 * release links to go (the venvs of pruned, failed or removed releases, and builds that never
 * completed). A venv a kept release uses stays, so a rollback to it still runs.
 */
import { changes, defineTask, errors, noop, quote, type TaskType } from '@runbook/core';
import { venvsDir } from './release-venv.js';

export interface PruneVenvsOptions {
  root: string;
}

export interface VenvUse {
  /** where each release's `.venv` link points */
  used: string[];
  /** the directories under `<root>/.venvs/` */
  venvs: string[];
}

/** Pure: the venv keys no release links to. */
export const venvsToPrune = (u: VenvUse, root: string): string[] =>
  u.venvs.filter((k) => !u.used.some((l) => l.replace(/\/+$/, '') === `${venvsDir(root)}/${k}`));

export function parseVenvUse(stdout: string): VenvUse {
  const u: VenvUse = { used: [], venvs: [] };
  for (const line of stdout.split('\n')) {
    const [kind, value] = line.split('\t', 2);
    if (kind === 'used' && value) u.used.push(value);
    else if (kind === 'venv' && value) u.venvs.push(value);
  }
  return u;
}

const useCommand = (root: string): string => [
  `r=${quote(root)}`,
  `for l in "$r"/releases/*/.venv; do if [ -L "$l" ]; then printf 'used\\t%s\\n' "$(readlink -- "$l")"; fi; done`,
  `for d in "$r"/.venvs/*/; do if [ -d "$d" ]; then printf 'venv\\t%s\\n' "$(basename -- "$d")"; fi; done`,
  'exit 0',
].join('\n');

export const pruneVenvsType: TaskType<PruneVenvsOptions, { use: VenvUse }, string[]> = {
  name: 'app.prune-venvs',
  describe: (o) => `${venvsDir(o.root)} (the venvs kept releases use)`,
  facts: (o) => ({
    use: {
      command: useCommand(o.root),
      parse(out) {
        if (out.code !== 0) throw errors.fact(`cannot read the venvs of ${o.root}: ${out.stderr.trim() || `exit ${out.code}`}`);
        return parseVenvUse(out.stdout);
      },
    },
  }),
  check({ use }, o) {
    const gone = venvsToPrune(use, o.root);
    if (gone.length === 0) return noop(`${use.venvs.length} venv(s), all used by a release`);
    return changes([`remove unused venv${gone.length > 1 ? 's' : ''} ${gone.join(', ')}`], { state: gone });
  },
  apply(plan, o) {
    const dir = venvsDir(o.root);
    // re-tested per venv: one a release links to by now stays
    const script = [
      `r=${quote(o.root)}`,
      ...plan.state!.map((k) => {
        const v = quote(`${dir}/${k}`);
        return `keep=; for l in "$r"/releases/*/.venv; do if [ "$(readlink -- "$l" 2>/dev/null)" = ${v} ]; then keep=1; fi; done; [ -n "$keep" ] || rm -rf -- ${v}`;
      }),
    ].join('\n');
    return [{ script, display: `rm -rf ${plan.state!.map((k) => `.venvs/${k}`).join(' ')}` }];
  },
};

/**
 * Removes the venvs no release links to (run after pruneReleases).
 * @example pruneVenvs({ root: '/srv/shop' })
 */
export const pruneVenvs = defineTask(pruneVenvsType);
