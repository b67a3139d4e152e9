/**
 * `file.download`: a file fetched from a URL and pinned by its sha256. The download lands in a temp file
 * next to the destination and is checked before anything is replaced: a wrong hash fails the task and
 * leaves the old file as it was.
 */
import { posix } from 'node:path';
import { changes, defineTask, errors, noop, quote, type Command, type Plan, type TaskType } from '@runbook/core';
import { DEFAULT_FILE_MODE } from './atomic-write.js';
import { describeState, fileFact, type FileState } from './file-fact.js';
import { absolutePath, fail, normalizeMode, optionalAccount, requireObject } from './options.js';
import { describeOwnership, ownershipChanges, ownershipDelta, ownershipScript, type Ownership } from './ownership.js';

export interface DownloadOptions {
  /**
   * http(s) or ftp URL.
   * @example 'https://github.com/dragonflydb/dragonfly/releases/download/v1.19.0/dragonfly-x86_64.tar.gz'
   */
  url: string;
  /**
   * Absolute path of the file to write.
   * @example '/usr/local/bin/dragonfly'
   */
  dest: string;
  /**
   * Expected sha256 of the content (hex). Required: it is what makes the task idempotent and safe.
   * @example 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
   */
  sha256: string;
  /**
   * Octal mode. Unset: an existing file keeps its mode, a new one gets 0644.
   * @default undefined
   * @example '0755'
   */
  mode?: string | number;
  /**
   * Owner (name or uid).
   * @default undefined
   * @example 'root'
   */
  owner?: string;
  /**
   * Group (name or gid).
   * @default undefined
   * @example 'root'
   */
  group?: string;
}

interface DownloadState {
  fetch: boolean;
  fix?: Ownership;
}

const want = (o: DownloadOptions): Ownership => ({ mode: normalizeMode('mode', o.mode), owner: o.owner, group: o.group });

function check(f: FileState, o: DownloadOptions): Plan<DownloadState> {
  const sha = o.sha256.toLowerCase();
  if (f.kind === 'directory' || f.kind === 'other') throw errors.options(`dest: ${o.dest} is a ${f.kind}; expected a file`, { key: 'dest' });
  if (f.kind === 'file' && f.sha256 === sha) {
    const fix = ownershipDelta(f, want(o));
    if (!fix) return noop(`${o.dest} has sha256 ${sha.slice(0, 12)}…, ${describeState(f)}`);
    return changes(ownershipChanges(f, want(o)), { state: { fetch: false, fix } });
  }
  const attrs = describeOwnership(want(o));
  const was = f.kind === 'file' ? ` (was sha256 ${f.sha256!.slice(0, 12)}…)` : '';
  return changes([`download ${o.url} → ${o.dest}${was}${attrs ? `, ${attrs}` : ''}`], { state: { fetch: true } });
}

const FETCH = `if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 -o "$tmp" "$url"
elif command -v wget >/dev/null 2>&1; then wget -q -O "$tmp" "$url"
elif command -v python3 >/dev/null 2>&1; then python3 -c 'import sys, shutil, urllib.request
with urllib.request.urlopen(sys.argv[1]) as r, open(sys.argv[2], "wb") as f: shutil.copyfileobj(r, f)' "$url" "$tmp"
else echo "download: curl, wget or python3 is needed on the host" >&2; exit 1; fi`;

function apply(s: DownloadState, o: DownloadOptions): Command[] {
  if (!s.fetch) return [{ script: ownershipScript(quote(o.dest), s.fix ?? {}).join('\n'), display: `chmod/chown ${o.dest}` }];
  const dir = posix.dirname(o.dest);
  const w = want(o);
  const script = [
    `dst=${quote(o.dest)}; url=${quote(o.url)}; want=${o.sha256.toLowerCase()}`,
    `tmp=$(mktemp ${quote(`${dir === '/' ? '' : dir}/.rb.XXXXXX`)})`,
    `trap 'rm -f "$tmp"' EXIT`,
    FETCH,
    `got=$(sha256sum < "$tmp" | cut -d' ' -f1)`,
    // checked before anything is replaced; the trap removes the temp file
    `[ "$got" = "$want" ] || { echo "sha256 mismatch for $url: expected $want, got $got" >&2; exit 1; }`,
    w.mode === undefined ? `if [ -e "$dst" ]; then chmod --reference="$dst" -- "$tmp"; else chmod ${DEFAULT_FILE_MODE} -- "$tmp"; fi` : '',
    `if [ -e "$dst" ]; then chown --reference="$dst" -- "$tmp" 2>/dev/null || :; fi`,
    ...ownershipScript('"$tmp"', w),
    `mv -f -- "$tmp" "$dst"`,
  ].filter(Boolean);
  return [{ script: script.join('\n'), display: `download ${o.url} → ${o.dest}` }];
}

export const downloadType: TaskType<DownloadOptions, { dest: FileState }, DownloadState> = {
  name: 'file.download',
  describe: (o) => o.dest,
  validate(o) {
    requireObject('download', o);
    if (typeof o.url !== 'string' || !/^(https?|ftp):\/\/[^\s]+$/.test(o.url)) fail('url', 'an http(s):// or ftp:// URL without spaces', o.url);
    absolutePath('dest', o.dest);
    if (typeof o.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(o.sha256)) fail('sha256', 'the 64 hex digits of the content\'s sha256', o.sha256);
    normalizeMode('mode', o.mode);
    optionalAccount('owner', o.owner);
    optionalAccount('group', o.group);
  },
  facts: (o) => ({ dest: fileFact(o.dest, 0) }),
  check: (facts, o) => check(facts.dest, o),
  apply: (plan, o) => apply(plan.state!, o),
  touches: (o) => [`path:${o.dest}`],
};

/**
 * A file downloaded and verified by sha256.
 * @example download({ url: 'https://example.org/tool', dest: '/usr/local/bin/tool', sha256: '…', mode: '0755' })
 */
export const download = defineTask(downloadType);
