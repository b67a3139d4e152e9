/**
 * The release bookkeeping of one app on a host, read in one fact: where `current` points, the release
 * directories, their records (`<root>/.releases/<id>.json`), and the deploy lock (`<root>/.deploy-lock`:
 * `info` = who holds it, `previous` = where `current` pointed before this run switched it).
 */
import { errors, quote, type FactRequest } from '@runbook/core';

/** One line of JSON per release under `<root>/.releases/`. */
export interface ReleaseRecord {
  id: string;
  /** the commit the release was made from */
  commit?: string;
  status: 'ok' | 'failed' | 'rolled-back';
  /** when and by whom it was deployed (control machine: user@hostname) */
  deployedAt?: string;
  deployedBy?: string;
  /** the last status change, when it was not the deploy itself */
  statusAt?: string;
  statusBy?: string;
}

export interface LockInfo {
  /** the release id (or `rollback-<time>`) of the run that holds the lock */
  release: string;
  who: string;
  since: string;
  command: string;
  /** the process of the run on the control machine (`who` names the machine) */
  pid?: number;
}

export interface AppState {
  /** false when the app root does not exist (configure has not run) */
  root: boolean;
  /** where `<root>/current` points, if it is a link */
  current?: string;
  /** release directory names, sorted */
  releases: string[];
  records: Record<string, ReleaseRecord>;
  lock?: {
    /** mtime of the lock directory (seconds since the epoch) */
    since: number;
    info?: LockInfo;
    /** set when this run switched `current`: its previous target ('' = there was none) */
    previous?: string;
  };
  /** REVISION of the release asked for, when it has one */
  revision?: string;
  /** the release directories that have a REVISION (their code arrived whole) */
  complete?: string[];
  /** temp directories of interrupted code fetches (`releases/.rb.*`) */
  temps?: string[];
  /** complete releases whose code came from an upload: release id → its git tree id (`.rb-tree`, with the file list `.rb-files`) */
  trees?: Record<string, string>;
}

export const lockDir = (root: string): string => `${root}/.deploy-lock`;
export const recordsDir = (root: string): string => `${root}/.releases`;

/** The fact command; `release` adds that release's REVISION. */
export function appStateCommand(root: string, release?: string): string {
  const lines = [
    `r=${quote(root)}`,
    `if [ ! -d "$r" ]; then echo noroot; exit 0; fi`,
    `if [ -L "$r/current" ]; then printf 'current\\t%s\\n' "$(readlink -- "$r/current")"; fi`,
    `for d in "$r"/releases/*/; do [ -d "$d" ] || continue; b=$(basename -- "$d"); printf 'release\\t%s\\n' "$b"; [ ! -f "$d/REVISION" ] || printf 'complete\\t%s\\n' "$b"; [ -f "$d/.rb-files" ] && [ -f "$d/.rb-tree" ] && [ -f "$d/REVISION" ] && read -r t < "$d/.rb-tree" && printf 'tree\\t%s\\t%s\\n' "$b" "$t"; done`,
    `for d in "$r"/releases/.rb.*/; do [ -d "$d" ] && printf 'temp\\t%s\\n' "$(basename -- "$d")"; done`,
    `for f in "$r"/.releases/*.json; do [ -f "$f" ] && printf 'record\\t%s\\n' "$(tr -d '\\n' < "$f")"; done`,
    `l="$r/.deploy-lock"`,
    `if [ -d "$l" ]; then printf 'lock\\t%s\\n' "$(stat -c %Y -- "$l")"`,
    `  [ -f "$l/info" ] && printf 'lockinfo\\t%s\\n' "$(tr -d '\\n' < "$l/info")"`,
    `  [ -f "$l/previous" ] && printf 'previous\\t%s\\n' "$(cat -- "$l/previous")"`,
    'fi',
  ];
  if (release !== undefined) {
    lines.push(`if [ -f "$r/releases/"${quote(release)}/REVISION ]; then printf 'revision\\t%s\\n' "$(head -c 200 "$r/releases/"${quote(release)}/REVISION)"; fi`);
  }
  lines.push('exit 0');
  return lines.join('\n');
}

const parseJson = <T>(text: string): T | undefined => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
};

export function parseAppState(stdout: string): AppState {
  const state: AppState = { root: true, releases: [], records: {} };
  for (const line of stdout.split('\n')) {
    if (line === 'noroot') return { root: false, releases: [], records: {} };
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [kind, value] = [line.slice(0, tab), line.slice(tab + 1)];
    if (kind === 'current') state.current = value;
    else if (kind === 'release') state.releases.push(value);
    else if (kind === 'record') {
      const rec = parseJson<ReleaseRecord>(value);
      if (rec && typeof rec.id === 'string') state.records[rec.id] = rec;
    } else if (kind === 'lock') state.lock = { since: Number(value) };
    else if (kind === 'lockinfo' && state.lock) state.lock.info = parseJson<LockInfo>(value);
    else if (kind === 'previous' && state.lock) state.lock.previous = value;
    else if (kind === 'revision') state.revision = value.trim();
    else if (kind === 'complete') (state.complete ??= []).push(value);
    else if (kind === 'temp') (state.temps ??= []).push(value);
    else if (kind === 'tree') {
      const [id, tree] = value.split('\t');
      if (id && tree) (state.trees ??= {})[id] = tree;
    }
  }
  state.releases.sort();
  return state;
}

export function appStateFact(root: string, release?: string): FactRequest<AppState> {
  return {
    command: appStateCommand(root, release),
    parse(out) {
      if (out.code !== 0) throw errors.fact(`cannot read the releases of ${root}: ${out.stderr.trim() || `exit ${out.code}`}`);
      return parseAppState(out.stdout);
    },
  };
}

/** The release id `current` points at (when it points into `<root>/releases/`). */
export function currentRelease(state: AppState, root: string): string | undefined {
  const prefix = `${root}/releases/`;
  if (!state.current) return undefined;
  const target = state.current.startsWith(prefix) ? state.current.slice(prefix.length) : state.current.startsWith('releases/') ? state.current.slice(9) : undefined;
  return target?.replace(/\/+$/, '') || undefined;
}

/** `r1 (ok), r2 (failed), r3 (current)` for messages. */
export function describeReleases(state: AppState, root: string): string {
  const cur = currentRelease(state, root);
  if (state.releases.length === 0) return '(none)';
  return state.releases
    .map((id) => `${id} (${[id === cur ? 'current' : '', state.records[id]?.status ?? 'no record'].filter(Boolean).join(', ')})`)
    .join(', ');
}

/** A JSON record on one line, as the fact reads it back. */
export const recordLine = (r: ReleaseRecord): string => JSON.stringify(r);
