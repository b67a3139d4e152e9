/**
 * Running a framed script on a connection. The script travels on stdin, never on the command line: no
 * argv limit, no second layer of quoting, and nothing of it in the remote process list.
 */
import type { Connection } from './connection.js';
import { errors } from './errors.js';
import { quote } from './quote.js';
import { frameSteps, type StepResult, type StepSpec } from './steps.js';

export interface RunAs {
  /** run through `sudo -n` */
  sudo: boolean;
  /** with sudo: the target user (default root) */
  user?: string;
  /**
   * with sudo: hand the login session's SSH_AUTH_SOCK (a forwarded agent) to the script, which sudo's
   * env_reset would drop; as `env` arguments, so no sudoers env_keep is needed
   */
  agent?: boolean;
}

/** The remote command line that evaluates the script given on stdin, as the wanted user. */
export function remoteShell(runAs: RunAs): string {
  // the shell reads its script from stdin (every step's own stdin is /dev/null)
  const shell = 'sh -s';
  if (!runAs.sudo) return shell;
  return `sudo -n ${runAs.user ? `-u ${quote(runAs.user)} ` : ''}-H -- ${runAs.agent ? `env SSH_AUTH_SOCK="$SSH_AUTH_SOCK" ` : ''}${shell}`;
}

export interface StepsOutcome {
  results: StepResult[];
  /** stderr of the exec outside any step (sudo's complaints, shell errors) */
  stderr: string;
  code: number | null;
}

/** Runs steps in one exec. Steps that did not run (after a failure) have no result. */
export async function runSteps(
  conn: Connection,
  steps: (string | StepSpec)[],
  opts: RunAs & { stopOnFailure: boolean; errexit: boolean },
): Promise<StepsOutcome> {
  if (steps.length === 0) return { results: [], stderr: '', code: 0 };
  const framed = frameSteps(steps, opts);
  const r = await conn.exec(remoteShell(opts), { stdin: framed.script });
  const { results, stderr } = framed.parse(r.stdout, r.stderr);
  if (results.length === 0 && r.code !== 0) {
    if (opts.sudo && /sudo:|password is required/.test(stderr)) throw errors.become(conn.alias, stderr);
    throw errors.command('remote shell', r.code, stderr || r.stdout, { host: conn.alias });
  }
  return { results, stderr, code: r.code };
}
