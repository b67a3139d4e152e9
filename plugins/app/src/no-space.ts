/**
 * A full disk, named as such. A build step that runs out of space fails with whatever its tool says
 * last (`ensurepip … returned non-zero exit status 1`); the cause is further up its stderr. These shell
 * fragments keep a step's stderr in memory (a full disk has no room for a temp file), pass it on, and
 * when it says "No space left on device" (ENOSPC, errno 28) end it with a line that names the path,
 * its filesystem and the space left — the line an error message shows.
 */
import { quote } from '@runbook/core';

/** What tools print for ENOSPC (and a full quota), as an extended regular expression. */
export const NO_SPACE_ERE = 'No space left on device|Errno 28|ENOSPC|Disk quota exceeded';

/**
 * Shell lines that, given the captured stderr in `$rb_err`, print it to stderr and, on ENOSPC, the
 * line `no space left on <path> (<n> MiB free on <mount>): <the tool's line>`.
 */
export function noSpaceReport(path: string): string[] {
  return [
    `[ -z "$rb_err" ] || printf '%s\\n' "$rb_err" >&2`,
    `rb_nospace=$(printf '%s\\n' "$rb_err" | grep -E -m 1 ${quote(NO_SPACE_ERE)} || :)`,
    `if [ -n "$rb_nospace" ]; then`,
    `  rb_df=$(df -Pk -- ${quote(path)} 2>/dev/null | awk 'NR == 2 { printf "%d MiB free on %s", $4 / 1024, $6 }' || :)`,
    `  printf 'no space left on %s (%s): %s\\n' ${quote(path)} "$rb_df" "$rb_nospace" >&2`,
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
