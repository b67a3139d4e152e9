/**
 * The shell that replaces a file atomically: content goes base64-encoded through a quoted here-doc into a
 * temp file in the target's own directory (same filesystem, so `mv` is a rename), gets its mode and owner
 * there, and only then is renamed over the target. A trap removes the temp file on any failure, so a
 * reader sees either the old file or the new one, never half of it.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { quote } from '@runbook/core';
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

/**
 * The common case in few programs: text content (no NUL byte) with mode, owner and group all given.
 * `install` creates the temp file with its mode and owner, the shell's own printf writes the content,
 * `mv` renames: two programs instead of five — a first run writes dozens of files per host.
 */
function fastWriteScript(w: AtomicWrite & Required<Pick<AtomicWrite, 'mode' | 'owner' | 'group'>>, dir: string): string {
  const tmp = `${dir === '/' ? '' : dir}/.rb.${randomBytes(6).toString('hex')}`;
  return [
    `dst=${quote(w.path)}; tmp=${quote(tmp)}`,
    `trap 'rm -f "$tmp"' EXIT`,
    `install -m ${quote(String(w.mode))} -o ${quote(w.owner)} -g ${quote(w.group)} /dev/null "$tmp"`,
    `printf '%s' ${quote(w.content.toString('utf8'))} >> "$tmp"`,
    `mv -f -- "$tmp" "$dst"`,
  ].join('\n');
}

const isPlainText = (b: Buffer): boolean => !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);

export function atomicWriteScript(w: AtomicWrite): string {
  const dir = posix.dirname(w.path);
  if (w.mode !== undefined && w.owner !== undefined && w.group !== undefined && !w.backup && w.expectSha256 === undefined && isPlainText(w.content)) {
    return fastWriteScript({ ...w, mode: w.mode, owner: w.owner, group: w.group }, dir);
  }
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
  lines.push(`mv -f -- "$tmp" "$dst"`);
  return lines.join('\n');
}
