import { access } from 'node:fs/promises';
import type { RunbookError } from '../errors.js';
import type { HostSpec, IdentitySource, JumpHop } from './types.js';
import { invalid, type Where } from './where.js';

export interface KeyCheck {
  /** the hosts (and their ProxyJump hops) with identityFiles narrowed to the files that exist */
  hosts: HostSpec[];
  /** a missing file next to one that exists, per file and line: ssh only warns, so do we */
  warnings: string[];
  /** a host or hop none of whose files exists, or a missing file the inventory names: a run on it fails */
  problems: RunbookError[];
}

/**
 * Looks for the identity files of the hosts a run selected (after `--limit`), and of their jump hosts.
 * It runs on the selection, not in loadInventory: a team's ssh config names keys of every env, and a
 * key missing for a host the run does not touch must not stop it.
 */
export async function checkKeys(hosts: HostSpec[]): Promise<KeyCheck> {
  const seen = new Map<string, Promise<boolean>>();
  const exists = (p: string) => seen.get(p) ?? seen.set(p, access(p).then(() => true, () => false)).get(p)!;
  const missing = new Map<string, { at: Where; path: string; names: Set<string> }>();
  const problems: RunbookError[] = [];

  const narrow = async <T extends JumpHop>(ep: T, name: string): Promise<T> => {
    const { identitySources: sources, ...rest } = ep;
    if (!sources) return ep;
    const found = await Promise.all(sources.map((s) => exists(s.path)));
    const lost = sources.filter((_, i) => !found[i]);
    const kept = [...new Set(sources.filter((_, i) => found[i]).map((s) => s.path))];
    const required = lost.find((s) => s.required);
    if (required) problems.push(invalid(required.at, `identity file not found for ${name}: ${required.path}`));
    else if (lost.length && !kept.length) problems.push(noKey(lost, name));
    else for (const s of lost) note(missing, s, name);
    return { ...rest, identityFiles: kept } as T;
  };

  const out: HostSpec[] = [];
  for (const h of hosts) {
    const proxyJump = await Promise.all(h.proxyJump.map((hop) => narrow(hop, `${hop.alias} (jump host of ${h.alias})`)));
    out.push({ ...(await narrow(h, h.alias)), proxyJump });
  }
  const warnings = [...missing.values()].map(({ at, path, names }) =>
    `${at.file}${at.line ? `:${at.line}` : ''}: ${at.key}: identity file not found: ${path}, for ${[...names].join(', ')}; ` +
    'its other identity files are used (ssh only warns too)');
  return { hosts: out, warnings, problems };
}

const noKey = (lost: IdentitySource[], name: string): RunbookError =>
  invalid(lost[0].at, `no identity file found for ${name}: ${[...new Set(lost.map((s) => s.path))].join(', ')}`);

function note(missing: Map<string, { at: Where; path: string; names: Set<string> }>, s: IdentitySource, name: string): void {
  const key = `${s.at.file}:${s.at.line}:${s.path}`;
  const entry = missing.get(key) ?? { at: s.at, path: s.path, names: new Set<string>() };
  entry.names.add(name);
  missing.set(key, entry);
}
