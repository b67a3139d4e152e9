/**
 * The state of one path, read without following a symlink at the path itself: kind, mode, owner, group,
 * size, and for a regular file its sha256 and (up to a size limit) its content, base64-encoded so any
 * bytes survive. One fact command, so a file task's no-op costs one step of one exec.
 */
import type { FactRequest } from '@runbook/core';
import { errors, quote } from '@runbook/core';

export type FileKind = 'absent' | 'file' | 'directory' | 'symlink' | 'other';

export interface FileState {
  kind: FileKind;
  /** 4 octal digits, e.g. `0644` */
  mode?: string;
  uid?: number;
  owner?: string;
  gid?: number;
  group?: string;
  size?: number;
  /** regular files only */
  sha256?: string;
  /** regular files no larger than the fact's content limit */
  content?: Buffer;
  /** symlinks only: where the link points */
  target?: string;
}

/** Content travels for diffs up to this size. */
export const DIFF_LIMIT = 64 * 1024;

/**
 * Two programs per regular file (stat, sha256sum), the rest shell builtins: a no-op run of 30 file tasks
 * on 50 hosts spawns thousands of processes, and they are most of its cost. With `expectSha256`, the
 * content travels only when the file differs from what the task would write.
 */
export function fileFactCommand(path: string, contentLimit = DIFF_LIMIT, expectSha256?: string): string {
  const same = expectSha256 ? `[ "$s" = ${quote(expectSha256)} ] || ` : '';
  return [
    `p=${quote(path)}`,
    'if [ -L "$p" ]; then k=symlink; elif [ -d "$p" ]; then k=directory; elif [ -f "$p" ]; then k=file;',
    'elif [ -e "$p" ]; then k=other; else echo absent; exit 0; fi',
    `t=$(stat -c '%a|%u|%U|%g|%G|%s' -- "$p") || exit 1`,
    `printf '%s|%s\\n' "$k" "$t"`,
    'case $k in',
    `file) s=$(sha256sum < "$p") || exit 1; s=\${s%% *}; echo "$s"; if ${same}[ "\${t##*|}" -gt ${contentLimit} ]; then echo '-'; else base64 -w0 < "$p"; echo; fi ;;`,
    `symlink) printf '%s' "$(readlink -- "$p")" | base64 -w0; echo ;;`,
    'esac',
  ].join('\n');
}

export function parseFileState(stdout: string): FileState {
  const lines = stdout.split('\n');
  if (lines[0] === 'absent') return { kind: 'absent' };
  const [kind, mode, uid, owner, gid, group, size] = lines[0].split('|');
  if (!['file', 'directory', 'symlink', 'other'].includes(kind) || size === undefined) {
    throw errors.fact(`unexpected file state: ${lines[0]}`);
  }
  const state: FileState = {
    kind: kind as FileKind,
    mode: mode.padStart(4, '0'),
    uid: Number(uid),
    owner,
    gid: Number(gid),
    group,
    size: Number(size),
  };
  if (kind === 'file') {
    if (!/^[0-9a-f]{64}$/.test(lines[1] ?? '')) throw errors.fact(`no sha256 in file state (unreadable file?)`);
    state.sha256 = lines[1];
    if (lines[2] !== undefined && lines[2] !== '-') state.content = Buffer.from(lines[2], 'base64');
  }
  if (kind === 'symlink') state.target = Buffer.from(lines[1] ?? '', 'base64').toString('utf8');
  return state;
}

/** Reads the state of `path`; see {@link FileState}. */
export function fileFact(path: string, contentLimit = DIFF_LIMIT, expectSha256?: string): FactRequest<FileState> {
  return {
    command: fileFactCommand(path, contentLimit, expectSha256),
    parse: (out) => {
      if (out.code !== 0) throw errors.fact(`cannot stat ${path}: ${out.stderr.trim() || `exit ${out.code}`}`);
      return parseFileState(out.stdout);
    },
  };
}

/** True when `want` (a name or a numeric id) names the same account as the fact's id and name. */
export function accountMatches(want: string | undefined, id: number | undefined, name: string | undefined): boolean {
  return want === undefined || want === name || want === String(id);
}

/** `root:root` style summary of a fact's ownership and mode for no-op reasons. */
export function describeState(s: FileState): string {
  return `mode ${s.mode}, owner ${s.owner}:${s.group}`;
}
