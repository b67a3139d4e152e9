import { globToRegExp, hasWildcard } from './glob.js';
import type { MatchCriterion, SshConfig, SshEntry } from './ssh-config.js';
import type { SshValues } from './ssh-options.js';
import type { Sourced, Where } from './where.js';

/** What an ssh config says about one alias: first value wins, IdentityFile accumulates. */
export interface SshHostOptions {
  values: Partial<Omit<SshValues, 'identityFile'>>;
  identityFiles: Sourced<string>[];
  /** the line each value in `values` came from */
  sources: Partial<Record<keyof SshValues, Where>>;
}

/**
 * Applies an ssh config to one alias as OpenSSH does: the blocks are read top to bottom and, for each
 * parameter, the first value obtained wins, so specific blocks come before `Host *` defaults.
 */
export function resolveSshHost(config: SshConfig, alias: string): SshHostOptions {
  const out: SshHostOptions = { values: {}, identityFiles: [], sources: {} };
  apply(config.entries, alias.toLowerCase(), out);
  return out;
}

function apply(entries: SshEntry[], alias: string, out: SshHostOptions): void {
  let active = true; // lines before the first Host/Match apply to every host
  for (const entry of entries) {
    if (entry.kind === 'host') active = hostMatches(entry.patterns, alias);
    else if (entry.kind === 'match') active = criteriaMatch(entry.criteria, alias, out);
    else if (!active) continue;
    // an Include inside a block applies only when that block matches; its Host lines end with it
    else if (entry.kind === 'include') entry.configs.forEach((c) => apply(c.entries, alias, out));
    else if (entry.setting.name === 'identityFile') out.identityFiles.push({ value: entry.setting.value, at: entry.at });
    else if (out.values[entry.setting.name] === undefined) {
      (out.values as Record<string, unknown>)[entry.setting.name] = entry.setting.value;
      out.sources[entry.setting.name] = entry.at;
    }
  }
}

/** ssh pattern matching: case-insensitive, `*` and `?`; a matching `!pattern` rules the host out. */
function patternMatches(pattern: string, host: string): boolean {
  // most Host lines name one host: a comparison, no RegExp (`host` is lowercase already)
  return hasWildcard(pattern) ? globToRegExp(pattern, 'i').test(host) : pattern.toLowerCase() === host;
}

function hostMatches(patterns: string[], host: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), host)) return false;
    } else if (patternMatches(p, host)) matched = true;
  }
  return matched;
}

/** `Match host a,b,!c`: a comma-separated pattern list, negation as in Host lines. */
const listMatches = (list: string, host: string): boolean => hostMatches(list.split(','), host);

/**
 * `Match all`, `Match host` (against HostName if one was obtained already, as OpenSSH does) and
 * `Match originalhost`. Any other criterion (exec, user, canonical, …) makes the block not match:
 * better to miss a setting than to apply one meant for another situation.
 */
function criteriaMatch(criteria: MatchCriterion[], alias: string, out: SshHostOptions): boolean {
  const hostname = (out.values.hostname?.replace(/%h/g, alias) ?? alias).toLowerCase();
  return criteria.every((c) => {
    let result: boolean;
    if (c.name === 'all') result = true;
    else if (c.name === 'host') result = listMatches(c.arg!, hostname);
    else if (c.name === 'originalhost') result = listMatches(c.arg!, alias);
    else return false;
    return result !== c.negate;
  });
}

/** Every alias a Host line names without wildcard or negation, in file order (Includes in place). */
export function sshConfigAliases(config: SshConfig): Sourced<string>[] {
  const seen = new Set<string>();
  const out: Sourced<string>[] = [];
  const visit = (entries: SshEntry[]): void => {
    for (const entry of entries) {
      if (entry.kind === 'include') entry.configs.forEach((c) => visit(c.entries));
      if (entry.kind !== 'host') continue;
      for (const p of entry.patterns) {
        if (hasWildcard(p) || p.startsWith('!') || seen.has(p.toLowerCase())) continue;
        seen.add(p.toLowerCase());
        out.push({ value: p, at: entry.at });
      }
    }
  };
  visit(config.entries);
  return out;
}
