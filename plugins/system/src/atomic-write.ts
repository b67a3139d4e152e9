/**
 * The shell that replaces a file atomically: the content goes into a temp name in the target's own
 * directory (same filesystem, so `mv` is a rename), gets its mode and owner there, and only then is
 * renamed over the target. A trap removes the temp file on any failure, so a reader sees either the old
 * file or the new one, never half of it.
 *
 * Text with known attributes takes the grouped path (`file.write`): the shell's own printf writes it and
 * the umask gives its mode, so consecutive writes in one exec cost a `chown` per owner and one `mv` per
 * directory (the new files are staged under their own names in a private directory there, then all
 * renamed by one `mv`), where each used to start three programs. Everything else (binary content,
 * attributes kept from the old file, backups) takes the general path, one write at a time.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { quote, type Command } from '@runbook/core';
import { ownershipScript, type Ownership } from './ownership.js';

export interface AtomicWrite extends Ownership {
  path: string;
  content: Buffer;
  /** keep a copy of the old file as `<path>.<timestamp>~` */
  backup?: boolean;
  /**
   * Refuse to replace the file unless its current sha256 is this one (`'absent'`: the file must not
   * exist): for edits computed from the old content (`line`), so a change made after the facts were read
   * is never lost.
   */
  expectSha256?: string;
}

/** Mode for a new file when none is asked for (what `umask 022` would give). */
export const DEFAULT_FILE_MODE = '0644';

function wrap(b64: string): string {
  return b64.match(/.{1,76}/g)?.join('\n') ?? '';
}

const isPlainText = (b: Buffer): boolean => !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);
const tempName = (dir: string) => `${dir === '/' ? '' : dir}/.rb.${randomBytes(6).toString('hex')}`;

/** A write the grouped path can do: text, and the attributes known (or a new file, which gets the defaults). */
export interface GroupedWrite {
  path: string;
  content: string;
  mode: string;
  owner?: string;
  group?: string;
  expectSha256?: string;
}

function grouped(w: AtomicWrite): GroupedWrite | undefined {
  if (w.backup || !isPlainText(w.content)) return undefined;
  const known = w.mode !== undefined && w.owner !== undefined && w.group !== undefined;
  // a file that must not exist yet has no old mode or owner to keep
  if (!known && w.expectSha256 !== 'absent') return undefined;
  return { path: w.path, content: w.content.toString('utf8'), mode: String(w.mode ?? DEFAULT_FILE_MODE), owner: w.owner, group: w.group, expectSha256: w.expectSha256 };
}

/** Consecutive members with the same directory: one stage and one `mv` each. */
function runsByDirectory(ws: GroupedWrite[]): { start: number; dir: string; members: GroupedWrite[] }[] {
  const runs: { start: number; dir: string; members: GroupedWrite[] }[] = [];
  ws.forEach((w, i) => {
    const dir = posix.dirname(w.path);
    const last = runs.at(-1);
    if (last && last.dir === dir && !last.members.some((m) => m.path === w.path)) last.members.push(w);
    else runs.push({ start: i, dir, members: [w] });
  });
  return runs;
}

/** The umask under which the shell creates a file with this mode, or undefined when only chmod can set it (x or special bits). */
function umaskFor(mode: string): string | undefined {
  const m = parseInt(mode, 8);
  return m & 0o7111 ? undefined : `0${(~m & 0o777).toString(8).padStart(3, '0')}`;
}

function expectScript(w: GroupedWrite): string[] {
  if (w.expectSha256 === undefined) return [];
  const dst = quote(w.path);
  const refuse = `{ echo ${quote(`${w.path} changed since its facts were read; not overwriting`)} >&2; exit 1; }`;
  if (w.expectSha256 === 'absent') return [`! { [ -e ${dst} ] || [ -L ${dst} ]; } || ${refuse}`];
  return [`cur=$(sha256sum < ${dst}) || cur=absent`, `[ "\${cur%% *}" = ${quote(w.expectSha256)} ] || ${refuse}`];
}

/**
 * One script for consecutive grouped writes (the `file.write` command group). Per directory: the
 * files are written (builtins only) under a temp name, or under their own names in a private stage
 * directory when there are several; then one `chown` per owner, a `chmod` for modes the umask cannot
 * give, and one rename pass. A directory's writes are all done before the next directory's are marked.
 */
export function groupedWriteScript(ws: GroupedWrite[], mark: (index: number) => string = () => ':'): string {
  const lines = ['set -C']; // a temp name never overwrites anything
  for (const run of runsByDirectory(ws)) {
    const staged = run.members.length > 1;
    const dir = run.dir;
    lines.push(mark(run.start), `t=${quote(tempName(dir))}`);
    if (staged) lines.push('mkdir -m 0700 -- "$t"', `trap 'rm -rf -- "$t"' EXIT`);
    else lines.push(`trap 'rm -f -- "$t"' EXIT`);
    const names = run.members.map((w) => (staged ? `"$t"/${quote(posix.basename(w.path))}` : '"$t"'));
    run.members.forEach((w, k) => {
      lines.push(...expectScript(w), `umask ${umaskFor(w.mode) ?? '0077'}`, `printf '%s' ${quote(w.content)} > ${names[k]}`);
    });
    const byOwner = new Map<string, string[]>();
    const byMode = new Map<string, string[]>();
    run.members.forEach((w, k) => {
      if (w.owner !== undefined || w.group !== undefined) {
        const spec = `${w.owner ?? ''}${w.group !== undefined ? `:${w.group}` : ''}`;
        byOwner.set(spec, [...(byOwner.get(spec) ?? []), names[k]]);
      }
      if (!umaskFor(w.mode)) byMode.set(w.mode, [...(byMode.get(w.mode) ?? []), names[k]]);
    });
    for (const [spec, files] of byOwner) {
      const chown = `chown ${quote(spec)} -- ${files.join(' ')}`;
      // root creating a file outside a setgid directory already made it root:root
      lines.push(spec === 'root:root' ? `{ [ -O / ] && [ -G / ] && [ ! -g ${quote(dir)} ]; } || ${chown}` : chown);
    }
    // after chown, which clears setuid/setgid bits
    for (const [mode, files] of byMode) lines.push(`chmod ${quote(mode)} -- ${files.join(' ')}`);
    if (staged) lines.push(`mv -f -- ${names.join(' ')} ${quote(dir)}/`, 'rmdir -- "$t"');
    else lines.push(`mv -Tf -- "$t" ${quote(run.members[0].path)}`);
    lines.push('trap - EXIT');
  }
  return lines.join('\n');
}

/** The write as a command that joins the writes around it in one script when it can. */
export function atomicWrite(w: AtomicWrite, display: string): Command {
  const g = grouped(w);
  if (!g) return { script: atomicWriteScript(w), display };
  return {
    script: groupedWriteScript([g]),
    display,
    group: { kind: 'file.write', arg: g, script: (args, mark) => groupedWriteScript(args as GroupedWrite[], mark) },
  };
}

export function atomicWriteScript(w: AtomicWrite): string {
  const g = grouped(w);
  if (g) return groupedWriteScript([g]);
  const dir = posix.dirname(w.path);
  const lines = [
    `dst=${quote(w.path)}`,
    `tmp=$(mktemp ${quote(`${dir === '/' ? '' : dir}/.rb.XXXXXX`)})`,
    `trap 'rm -f "$tmp"' EXIT`,
    `base64 -d > "$tmp" <<'__RB_EOF'`,
    wrap(w.content.toString('base64')),
    '__RB_EOF',
  ];
  if (w.expectSha256 !== undefined) {
    lines.push(
      `if [ -e "$dst" ] || [ -L "$dst" ]; then cur=$(sha256sum < "$dst" | cut -d' ' -f1); else cur=absent; fi`,
      `[ "$cur" = ${quote(w.expectSha256)} ] || { echo "$dst changed since its facts were read; not overwriting" >&2; exit 1; }`,
    );
  }
  // unless asked otherwise, the new file keeps the old one's mode and owner (best effort for the owner:
  // only root may give a file away)
  if (w.mode === undefined) {
    lines.push(`if [ -e "$dst" ]; then chmod --reference="$dst" -- "$tmp"; else chmod ${DEFAULT_FILE_MODE} -- "$tmp"; fi`);
  }
  lines.push(`if [ -e "$dst" ]; then chown --reference="$dst" -- "$tmp" 2>/dev/null || :; fi`);
  lines.push(...ownershipScript('"$tmp"', w));
  if (w.backup) lines.push(`if [ -f "$dst" ]; then cp -p -- "$dst" "$dst.$(date +%Y%m%d%H%M%S)~"; fi`);
  lines.push(`mv -Tf -- "$tmp" "$dst"`, 'trap - EXIT');
  return lines.join('\n');
}
