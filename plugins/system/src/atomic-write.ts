/**
 * The shell that replaces a file atomically: content goes base64-encoded through a quoted here-doc into a
 * temp file in the target's own directory (same filesystem, so `mv` is a rename), gets its mode and owner
 * there, and only then is renamed over the target. A trap removes the temp file on any failure, so a
 * reader sees either the old file or the new one, never half of it.
 */
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

export function atomicWriteScript(w: AtomicWrite): string {
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
  lines.push(`mv -f -- "$tmp" "$dst"`);
  return lines.join('\n');
}
