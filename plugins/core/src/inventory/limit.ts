import { errors } from '../errors.js';
import { globToRegExp, hasWildcard } from './glob.js';
import type { HostSpec, Inventory } from './types.js';

interface Term {
  op: '' | '!' | '&';
  pattern: string;
}

/**
 * `--limit`, as Ansible reads it: terms separated by `,` or `:`; a term is an alias, a group or a glob
 * over both (`web-*`, `app?.example.com`); `all` and `*` mean every host. Plain terms add, `&term`
 * intersects, `!term` excludes; with only `&`/`!` terms the start is every host. A term that matches
 * nothing is an error rather than a silent no-op: a mistyped `!db` would otherwise deploy to db; so is
 * an empty limit. The result keeps inventory order.
 */
export function selectHosts(inv: Inventory, limit: string | undefined): HostSpec[] {
  if (limit === undefined) return inv.hosts;
  const terms = parseLimit(limit);
  // an empty value (an unset shell variable: --limit "$HOSTS") must not mean every host
  if (terms.length === 0) throw errors.usage(`--limit ${JSON.stringify(limit)} names no host: give hosts, groups or patterns (all for every host)`);
  const match = (t: Term): Set<string> => {
    const found = matchTerm(inv, t.pattern);
    if (found === undefined) throw nothingMatches(inv, limit, `"${t.pattern}" matches no host or group`);
    return found;
  };
  const adds = terms.filter((t) => t.op === '');
  let selected = adds.length ? new Set(adds.flatMap((t) => [...match(t)])) : new Set(inv.hosts.map((h) => h.alias));
  for (const t of terms.filter((t) => t.op === '&')) selected = new Set([...match(t)].filter((a) => selected.has(a)));
  for (const t of terms.filter((t) => t.op === '!')) for (const a of match(t)) selected.delete(a);
  const hosts = inv.hosts.filter((h) => selected.has(h.alias));
  if (hosts.length === 0) throw nothingMatches(inv, limit, 'selects no host');
  return hosts;
}

function parseLimit(limit: string): Term[] {
  return limit.split(/[,:]/).map((raw) => raw.trim()).filter(Boolean).map((raw) => {
    const op = raw[0] === '!' || raw[0] === '&' ? raw[0] : '';
    const pattern = raw.slice(op.length).trim();
    if (!pattern) throw errors.usage(`--limit "${limit}": "${raw}" needs a host, group or pattern after ${op}`);
    return { op, pattern };
  });
}

/** The aliases a pattern names (hosts, then members of groups), or undefined when it names nothing. */
function matchTerm(inv: Inventory, pattern: string): Set<string> | undefined {
  if (pattern === 'all' || pattern === '*') return new Set(inv.hosts.map((h) => h.alias));
  const test = hasWildcard(pattern) ? (name: string) => globToRegExp(pattern).test(name) : (name: string) => name === pattern;
  const hosts = inv.hosts.filter((h) => test(h.alias)).map((h) => h.alias);
  const groups = Object.keys(inv.groups).filter(test);
  if (hosts.length === 0 && groups.length === 0) return undefined;
  return new Set([...hosts, ...groups.flatMap((g) => inv.groups[g].hosts)]);
}

const nothingMatches = (inv: Inventory, limit: string, why: string) =>
  errors.usage(
    `--limit "${limit}": ${why}; hosts: ${inv.hosts.map((h) => h.alias).join(', ') || '(none)'}; ` +
      `groups: ${Object.keys(inv.groups).join(', ')}`,
  );
