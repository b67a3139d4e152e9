import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { globToRegExp, hasWildcard } from './glob.js';
import { expandHome } from './local-context.js';
import { splitSshArgs } from './split-ssh-args.js';
import { parseSshOption, type SshSetting } from './ssh-options.js';
import { invalid, type Where } from './where.js';

/** One criterion of a `Match` line; `arg` is absent for `all`, `canonical` and `final`. */
export interface MatchCriterion {
  name: string;
  negate: boolean;
  arg?: string;
}

export type SshEntry =
  | { kind: 'host'; patterns: string[]; at: Where }
  | { kind: 'match'; criteria: MatchCriterion[]; at: Where }
  | { kind: 'option'; setting: SshSetting; at: Where }
  | { kind: 'include'; configs: SshConfig[]; at: Where };

/** A parsed ssh_config file, its Includes already read and parsed in place. */
export interface SshConfig {
  file: string;
  entries: SshEntry[];
}

// OpenSSH's READCONF_MAX_DEPTH: stops an Include loop
const maxDepth = 16;
const criteriaWithoutArg = new Set(['all', 'canonical', 'final']);

/**
 * Reads an ssh_config file. Include paths are relative to the including file's directory (OpenSSH uses
 * ~/.ssh for user configs; a config kept next to the inventory wants its own directory) and may glob.
 */
export async function loadSshConfig(file: string, home: string, depth = 0): Promise<SshConfig> {
  const text = await readFile(file, 'utf8');
  const lines = parseLines(text, file);
  const entries: SshEntry[] = [];
  for (const line of lines) {
    if (line.keyword !== 'include') {
      const entry = toEntry(line);
      if (entry) entries.push(entry);
      continue;
    }
    if (depth >= maxDepth) throw invalid(line.at, `Include nested deeper than ${maxDepth} levels (a loop?)`);
    const files = (await Promise.all(line.args.map((p) => expandGlob(path.resolve(path.dirname(file), expandHome(p, home)))))).flat();
    const configs = await Promise.all(files.map((f) => loadSshConfig(f, home, depth + 1)));
    entries.push({ kind: 'include', configs, at: line.at });
  }
  return { file, entries };
}

/** Parses ssh_config text that has no Include lines (Include needs the file system: loadSshConfig). */
export function parseSshConfig(text: string, file: string): SshConfig {
  return { file, entries: parseLines(text, file).flatMap((line) => toEntry(line) ?? []) };
}

interface Line {
  keyword: string;
  args: string[];
  at: Where;
}

function parseLines(text: string, file: string): Line[] {
  const out: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    // the keyword ends at whitespace or at one `=` (with optional spaces around it)
    const [, keyword, rest] = /^([^\s=]+)\s*=?\s*(.*)$/.exec(trimmed)!;
    const at = { file, line: i + 1, key: keyword };
    const args = splitSshArgs(rest);
    if (!args) throw invalid(at, 'unterminated quote');
    if (args.length === 0) throw invalid(at, `${keyword} needs an argument`);
    out.push({ keyword: keyword.toLowerCase(), args, at });
  });
  return out;
}

/** The entry of one line, or undefined for a keyword we have no use for (ssh has many). */
function toEntry({ keyword, args, at }: Line): SshEntry | undefined {
  if (keyword === 'host') return { kind: 'host', patterns: args, at };
  if (keyword === 'match') return { kind: 'match', criteria: parseCriteria(args, at), at };
  if (keyword === 'include') throw invalid(at, 'Include needs loadSshConfig (it reads files)');
  const setting = parseSshOption(keyword, args, (message) => {
    throw invalid(at, `${at.key}: ${message}`);
  });
  return setting && { kind: 'option', setting, at };
}

function parseCriteria(args: string[], at: Where): MatchCriterion[] {
  const out: MatchCriterion[] = [];
  for (let i = 0; i < args.length; i++) {
    const negate = args[i].startsWith('!');
    const name = args[i].slice(negate ? 1 : 0).toLowerCase();
    if (criteriaWithoutArg.has(name)) {
      out.push({ name, negate });
      continue;
    }
    const arg = args[++i];
    if (arg === undefined) throw invalid(at, `Match ${name} needs an argument`);
    out.push({ name, negate, arg });
  }
  return out;
}

/** Files matching a path whose segments may hold `*` / `?`, sorted like glob(3); no match is fine, as in ssh. */
async function expandGlob(pattern: string): Promise<string[]> {
  const segments = pattern.split(path.sep).filter(Boolean);
  let found: string[] = [path.sep];
  for (const segment of segments) {
    if (!hasWildcard(segment)) {
      found = found.map((dir) => path.join(dir, segment));
      continue;
    }
    const re = globToRegExp(segment);
    const next = await Promise.all(found.map(async (dir) => {
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.filter((n) => re.test(n) && !n.startsWith('.')).sort().map((n) => path.join(dir, n));
    }));
    found = next.flat();
  }
  const isFile = await Promise.all(found.map((f) => stat(f).then((s) => s.isFile(), () => false)));
  return found.filter((_, i) => isFile[i]);
}
