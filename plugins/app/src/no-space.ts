/**
 * A full disk, named as such. A build step that runs out of space fails with whatever its tool says
 * last (`ensurepip … returned non-zero exit status 1`); the cause is further up its stderr. These shell
 * fragments keep a step's stderr in memory (a full disk has no room for a temp file), pass it on, and
 * when it says "No space left on device" (ENOSPC, errno 28) — or says nothing of it while the
 * filesystem is full (`python3 -m venv` swallows ensurepip's output) — end it with a line that names
 * the path, its filesystem and the space left: the line an error message shows.
 */
import { quote } from '@runbook/core';

/** What tools print for ENOSPC (and a full quota), as an extended regular expression. */
export const NO_SPACE_ERE = 'No space left on device|Errno 28|ENOSPC|Disk quota exceeded';

/** Below this many KiB free, a failed step is taken to have run out of space whatever it said. */
export const NEARLY_FULL_KIB = 4096;

/**
 * Shell lines that, given the captured stderr in `$rb_err`, print it to stderr and, on ENOSPC, the
 * line `no space left on <path> (<n> MiB free on <mount>): <the tool's line>`.
 */
export function noSpaceReport(path: string): string[] {
  return [
    `[ -z "$rb_err" ] || printf '%s\\n' "$rb_err" >&2`,
    `rb_nospace=$(printf '%s\\n' "$rb_err" | grep -E -m 1 ${quote(NO_SPACE_ERE)} || :)`,
    `rb_df=$(df -Pk -- ${quote(path)} 2>/dev/null | awk 'NR == 2 { print $4, $6 }' || :)`,
    // a full filesystem and a tool that did not say why: its last line, named as what it most likely is
    `if [ -z "$rb_nospace" ] && [ -n "$rb_df" ] && [ "\${rb_df%% *}" -lt ${NEARLY_FULL_KIB} ]; then rb_nospace=$(printf '%s\\n' "$rb_err" | tail -n 1); : "\${rb_nospace:=no output}"; fi`,
    `if [ -n "$rb_nospace" ]; then`,
    `  rb_free=$(printf '%s\\n' "$rb_df" | awk 'NF == 2 { printf "%d MiB free on %s", $1 / 1024, $2 }')`,
    `  printf 'no space left on %s (%s): %s\\n' ${quote(path)} "\${rb_free:-free space unknown}" "$rb_nospace" >&2`,
    `fi`,
  ];
}

/**
 * `script` run by its own `sh -e` (so `set -e` holds inside, whatever the caller's context), its
 * stdout passed through, its stderr captured and reported by {@link noSpaceReport}; the exit status is
 * the script's. The script travels as one argument: keep it small (no file content).
 */
export function withNoSpaceReport(script: string, path: string): string {
  return [
    'rb_rc=0',
    `{ rb_err=$(sh -ec ${quote(script)} 2>&1 >&3 3>&-) || rb_rc=$?; } 3>&1`,
    ...noSpaceReport(path),
    'exit "$rb_rc"',
  ].join('\n');
}
