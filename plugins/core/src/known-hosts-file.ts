/**
 * A known_hosts file parsed once per run and indexed by plain host name. Every connection checks its
 * host's key against the same files: re-reading them per host made a 200-host run parse 200 × 200 lines
 * and compile a RegExp per line. The parse is kept while the file's size, mtime and inode stay the same
 * (accept-new appends to the project's file: the next lookup reads it again).
 */
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { globToRegExp } from './inventory/glob.js';

export interface KnownHostsLine {
  /** 1-based, for messages */
  line: number;
  marker?: '@revoked';
  /** the key blob, base64 as written */
  key: string;
  matches(name: string): boolean;
}

interface Parsed {
  stamp: string;
  /** lines whose names field is a plain list of names (no pattern, negation or hash), by lowercase name */
  byName: Map<string, KnownHostsLine[]>;
  /** every other line: checked against each name */
  patterns: KnownHostsLine[];
}

const cache = new Map<string, Parsed>();


function hashedMatcher(field: string): (name: string) => boolean {
  const [, , salt, hash] = field.split('|');
  const key = Buffer.from(salt ?? '', 'base64');
  return (name) => createHmac('sha1', key).update(name).digest('base64') === hash;
}

function patternMatcher(field: string): (name: string) => boolean {
  const terms = field.split(',').map((p) => ({ negated: p.startsWith('!'), re: globToRegExp(p.replace(/^!/, ''), 'i') }));
  return (name) => {
    let matched = false;
    for (const t of terms) {
      if (!t.re.test(name)) continue;
      if (t.negated) return false;
      matched = true;
    }
    return matched;
  };
}

/** Parses known_hosts text (exported for tests; `knownHostsLines` is the cached reader). */
export function parseKnownHosts(text: string): Omit<Parsed, 'stamp'> {
  const byName = new Map<string, KnownHostsLine[]>();
  const patterns: KnownHostsLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    if (marker === '@cert-authority' || fields.length < 3) return;
    const names = fields[0];
    const base = { line: i + 1, key: fields[2], ...(marker === '@revoked' ? { marker: '@revoked' as const } : {}) };
    if (names.startsWith('|1|')) return void patterns.push({ ...base, matches: hashedMatcher(names) });
    if (/[*?!]/.test(names)) return void patterns.push({ ...base, matches: patternMatcher(names) });
    const plain = names.split(',').map((n) => n.toLowerCase());
    const entry: KnownHostsLine = { ...base, matches: (name) => plain.includes(name.toLowerCase()) };
    for (const n of new Set(plain)) byName.set(n, [...(byName.get(n) ?? []), entry]);
  });
  return { byName, patterns };
}

/** The lines of `file` that name `name`, in file order; none when the file does not exist. */
export function knownHostsLines(file: string, name: string): KnownHostsLine[] {
  let stamp: string;
  try {
    const s = statSync(file, { bigint: true });
    stamp = `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return [];
  }
  let parsed = cache.get(file);
  if (parsed?.stamp !== stamp) {
    parsed = { stamp, ...parseKnownHosts(readFileSync(file, 'utf8')) };
    cache.set(file, parsed);
  }
  const lines = [...(parsed.byName.get(name.toLowerCase()) ?? []), ...parsed.patterns.filter((l) => l.matches(name))];
  return lines.sort((a, b) => a.line - b.line);
}
