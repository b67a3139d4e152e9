/**
 * `supervisor.prune`: removes program configs this plugin wrote (their first line is MARK) whose program
 * is no longer configured. Hand-written files in conf.d are never touched. Notifies the update handler,
 * which makes supervisord stop and forget the removed programs.
 */
import { changes, defineTask, errors, noop, quote } from '@runbook/core';
import { CONF_DIR } from './options.js';
import { MARK } from './render.js';

export interface PruneOptions {
  /** the config files to keep (absolute paths in `dir`) */
  keep: string[];
  /** @default '/etc/supervisor/conf.d' */
  dir?: string;
}

export const prune = defineTask<PruneOptions, { managed: string[] }, { remove: string[] }>({
  name: 'supervisor.prune',
  describe: (o) => `stale programs in ${o.dir ?? CONF_DIR}`,
  validate(o) {
    if (!Array.isArray(o.keep) || o.keep.some((f) => typeof f !== 'string')) throw errors.options(`keep must be an array of paths, got ${JSON.stringify(o.keep)}`, { key: 'keep' });
  },
  facts: (o) => ({
    managed: {
      // the .conf files whose first line is the mark; none (or no directory) is an empty list
      command: `for f in ${quote(o.dir ?? CONF_DIR)}/*.conf; do [ -f "$f" ] && IFS= read -r first < "$f" && [ "$first" = ${quote(MARK)} ] && printf '%s\\n' "$f"; done; true`,
      parse: (r) => r.stdout.split('\n').filter(Boolean),
    },
  }),
  check(f, o) {
    const remove = f.managed.filter((file) => !o.keep.includes(file));
    if (remove.length === 0) return noop(f.managed.length ? `only configured programs (${f.managed.length})` : 'no program configs of ours');
    return changes(remove.map((file) => `remove ${file}`), { state: { remove } });
  },
  touches: (o) => [`tree:${o.dir ?? CONF_DIR}`],
  apply: (p) => [{ script: `rm -f -- ${p.state!.remove.map((f) => quote(f)).join(' ')}`, display: `rm ${p.state!.remove.join(' ')}` }],
});
