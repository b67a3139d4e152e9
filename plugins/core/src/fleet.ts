/**
 * The fleet: every host of the env as plugins see it while they plan (DESIGN §9). A plugin is placed on
 * hosts by its `on` pattern (inventory groups are the roles: `web`, `worker`, `data`), and the site model
 * of one host can see the others — their roles and private addresses — so a data host's plugin can
 * publish `DATABASE_URL` for the app hosts and a server can listen only where its clients are.
 */
import { errors } from './errors.js';
import { globToRegExp, hasWildcard } from './inventory/glob.js';

/** One host of the env, as every host's plugins see it. */
export interface FleetHost {
  alias: string;
  hostname: string;
  /**
   * the address the env's other hosts reach it on: the host var `privateAddress`, else its hostname
   * @example '10.0.1.11'
   */
  address: string;
  /** `all` first, then its inventory groups (its roles) */
  groups: readonly string[];
  /** true when this run's --limit selected it */
  inRun: boolean;
}

/** Where a plugin runs: `'web'`, `['web', 'worker']`, `'web,worker'`, `'app-*'`, `'!data'` (every host but data). */
export type Placement = string | readonly string[];

export interface FleetSource {
  alias: string;
  hostname: string;
  groups: readonly string[];
  vars: Record<string, unknown>;
}

/** The fleet of an env, in inventory order; `selected` are the aliases this run works on. */
export function fleetOf(hosts: readonly FleetSource[], selected: ReadonlySet<string>): FleetHost[] {
  return hosts.map((h) => {
    const address = h.vars.privateAddress;
    if (address !== undefined && (typeof address !== 'string' || !address)) {
      throw errors.inventory(`host ${h.alias}: privateAddress must be an address string, got ${JSON.stringify(address)}`, { key: `hosts.${h.alias}.vars.privateAddress` });
    }
    return { alias: h.alias, hostname: h.hostname, address: address ?? h.hostname, groups: h.groups, inRun: selected.has(h.alias) };
  });
}

const terms = (on: Placement): string[] => (typeof on === 'string' ? on.split(',') : [...on]).map((t) => t.trim()).filter(Boolean);

/**
 * The hosts of the fleet a placement names, in fleet order. A term is an alias, a group or a glob over
 * both; `!term` excludes (with only exclusions the start is every host). A term that names no host and
 * no group is an error: a mistyped role would otherwise place a plugin nowhere. A group that exists but
 * has no host is fine (a role this env does not have).
 */
export function placedHosts(fleet: readonly FleetHost[], on: Placement | undefined, who: string): FleetHost[] {
  if (on === undefined) return [...fleet];
  const list = terms(on);
  if (list.length === 0) throw errors.config(`${who}: on must name hosts or groups, got ${JSON.stringify(on)}`, { key: 'on' });
  const groups = new Set(fleet.flatMap((h) => h.groups));
  const match = (pattern: string): Set<string> => {
    if (pattern === 'all' || pattern === '*') return new Set(fleet.map((h) => h.alias));
    const test = hasWildcard(pattern) ? (n: string) => globToRegExp(pattern).test(n) : (n: string) => n === pattern;
    const named = fleet.filter((h) => test(h.alias) || h.groups.some(test));
    if (named.length === 0 && ![...groups].some(test)) {
      throw errors.config(
        `${who}: on "${pattern}" names no host or group of this env; groups: ${[...groups].join(', ')}; hosts: ${fleet.map((h) => h.alias).join(', ')}`,
        { key: 'on' },
      );
    }
    return new Set(named.map((h) => h.alias));
  };
  const adds = list.filter((t) => !t.startsWith('!'));
  const chosen = adds.length ? new Set(adds.flatMap((t) => [...match(t)])) : new Set(fleet.map((h) => h.alias));
  for (const t of list.filter((x) => x.startsWith('!'))) for (const a of match(t.slice(1).trim())) chosen.delete(a);
  return fleet.filter((h) => chosen.has(h.alias));
}
