/**
 * The state of one path, read without following a symlink at the path itself: kind, mode, owner, group,
 * size, and for a regular file its sha256 and (up to a size limit) its content, base64-encoded so any
 * bytes survive. One fact command, so a file task's no-op costs one step of one exec.
 */
import type { FactGroup, FactRequest } from '@runbook/core';
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
  // no content at all with a limit of 0 (directories, links, downloads compare by sha256 only)
  const same = contentLimit <= 0 ? 'true || ' : expectSha256 ? `[ "$s" = ${quote(expectSha256)} ] || ` : '';
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

/** What one path's fact asks of the grouped read. */
export interface FileFactArg {
  path: string;
  contentLimit: number;
  expectSha256?: string;
}

/**
 * The state of many paths in one step: shell builtins tell each path's kind, then one `stat` for all that
 * exist and one `sha256sum` for all regular files; only a file whose content will be shown (it differs
 * from what its task writes, or the task reads content) costs a `base64` more. Thirty file tasks on a
 * host thus spawn two programs, not sixty: most of a no-op run's cost on the host.
 */
export function fileStateGroupCommand(args: FileFactArg[]): string {
  const n = args.map((_, i) => i + 1);
  const lines: string[] = [];
  args.forEach((a, i) => {
    const k = `k${i + 1}`;
    const p = `"$p${i + 1}"`;
    lines.push(`p${i + 1}=${quote(a.path)}; if [ -L ${p} ]; then ${k}=symlink; elif [ -d ${p} ]; then ${k}=directory; elif [ -f ${p} ]; then ${k}=file; elif [ -e ${p} ]; then ${k}=other; else ${k}=absent; fi`);
  });
  lines.push(`echo "@@k ${n.map((i) => `$k${i}`).join(' ')}"`);
  lines.push('set --', ...n.map((i) => `[ "$k${i}" = absent ] || set -- "$@" "$p${i}"`));
  lines.push(`if [ $# -gt 0 ]; then stat -c '%a|%u|%U|%g|%G|%s' -- "$@" || exit 1; fi`);
  lines.push('echo @@s', 'set --', ...n.map((i) => `[ "$k${i}" != file ] || { set -- "$@" "$p${i}"; f${i}=$#; }`));
  lines.push(String.raw`h=; if [ $# -gt 0 ]; then h=$(sha256sum -- "$@") || exit 1; printf '%s\n' "$h"; fi`);
  // the i-th sum into s<i> (a name with a backslash or newline makes sha256sum prefix its line with "\")
  lines.push('i=0; while read -r x _; do i=$((i+1)); x=${x#\\\\}; eval "s$i=\\$x"; done <<RBEOF', '$h', 'RBEOF');
  args.forEach((a, i) => {
    const j = i + 1;
    if (a.contentLimit > 0) {
      const differs = a.expectSha256 ? String.raw` && eval "s=\$s$f${j}" && [ "$s" != ${quote(a.expectSha256)} ]` : '';
      lines.push(`if [ "$k${j}" = file ]${differs}; then z=$(stat -c %s -- "$p${j}"); if [ "$z" -le ${a.contentLimit} ]; then echo @@c${j}; base64 -w0 < "$p${j}"; echo; fi; fi`);
    }
    lines.push(`if [ "$k${j}" = symlink ]; then echo @@l${j}; printf '%s' "$(readlink -- "$p${j}")" | base64 -w0; echo; fi`);
  });
  return lines.join('\n');
}

/** Splits the grouped output into what fileFactCommand prints for each path. */
export function splitFileStateGroup(stdout: string, args: FileFactArg[]): string[] {
  const lines = stdout.split('\n');
  const kindsLine = lines.findIndex((l) => l.startsWith('@@k '));
  const kinds = kindsLine >= 0 ? lines[kindsLine].slice(4).split(' ') : [];
  if (kinds.length !== args.length) throw new Error('grouped file facts: kinds missing');
  const shaAt = lines.indexOf('@@s', kindsLine);
  if (shaAt < 0) throw new Error('grouped file facts: no sha256 section');
  const stats = lines.slice(kindsLine + 1, shaAt);
  const extras = new Map<string, string>();
  let shaEnd = shaAt + 1;
  while (shaEnd < lines.length && !lines[shaEnd].startsWith('@@')) shaEnd++;
  const shas = lines.slice(shaAt + 1, shaEnd).filter(Boolean).map((l) => l.replace(/^\\/, '').slice(0, 64));
  for (let i = shaEnd; i < lines.length; i++) if (lines[i].startsWith('@@')) extras.set(lines[i].slice(2), lines[i + 1] ?? '');
  let st = 0;
  let sh = 0;
  return args.map((_, i) => {
    const kind = kinds[i];
    if (kind === 'absent') return 'absent\n';
    const stat = stats[st++];
    if (stat === undefined) throw new Error('grouped file facts: a stat line is missing');
    if (kind === 'file') {
      const sha = shas[sh++];
      if (sha === undefined) throw new Error('grouped file facts: a sha256 is missing');
      return `file|${stat}\n${sha}\n${extras.get(`c${i + 1}`) ?? '-'}\n`;
    }
    if (kind === 'symlink') return `symlink|${stat}\n${extras.get(`l${i + 1}`) ?? ''}\n`;
    return `${kind}|${stat}\n`;
  });
}

const fileStateGroup = (arg: FileFactArg): FactGroup => ({
  kind: 'file.state',
  arg,
  command: (args) => fileStateGroupCommand(args as FileFactArg[]),
  split: (out, args) => splitFileStateGroup(out.stdout, args as FileFactArg[]).map((stdout) => ({ stdout, stderr: '', code: 0 })),
});

/** Reads the state of `path`; see {@link FileState}. Read together with the other paths of an exec. */
export function fileFact(path: string, contentLimit = DIFF_LIMIT, expectSha256?: string): FactRequest<FileState> {
  return {
    command: fileFactCommand(path, contentLimit, expectSha256),
    group: fileStateGroup({ path, contentLimit, expectSha256 }),
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
