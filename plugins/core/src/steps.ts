/**
 * Framing of many shell steps in one remote exec. Each step runs in its own subshell with stdin closed;
 * its stdout, stderr and exit status come back between markers that carry a per-exec nonce, so no step
 * output can forge a marker. This is what lets a whole task (or, later, a whole phase) cost one round trip.
 */
import { randomBytes } from 'node:crypto';
import { quote } from './quote.js';

export interface StepResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** A step with its own error handling: apply steps stop the script on failure, fact steps never do. */
export interface StepSpec {
  script: string;
  /** run under `set -e` */
  errexit: boolean;
  /** end the whole script when this step fails */
  stopOnFailure: boolean;
  /**
   * run as this user inside a root exec (`runuser`: HOME, USER and LOGNAME of that user, as `sudo -H -u`
   * gives them), so steps of root and of the app user share one exec
   */
  user?: string;
}

/**
 * The step's subshell body. As another user, its script goes to `runuser … sh -s` on stdin (a here-doc
 * whose delimiter carries the exec's nonce), never on a command line that every user's `ps` shows; in
 * braces, so that its commands read /dev/null, not the rest of their script.
 */
function body(step: StepSpec, nonce: string): string {
  const script = `${step.errexit ? 'set -e; ' : ''}${step.script}`;
  if (!step.user) return script;
  const end = `RB_${nonce}_END`;
  // what a root login or a forwarded agent left in root's environment is not the other user's
  return `runuser -u ${quote(step.user)} -- sh -s <<'${end}'\n{ unset SSH_AUTH_SOCK XDG_RUNTIME_DIR\n${script}\n} </dev/null\n${end}`;
}

export interface FramedScript {
  script: string;
  /** splits the exec's stdout and stderr back into step results (only the steps that ran) */
  parse(stdout: string, stderr?: string): FramedOutput;
}

export interface FramedOutput {
  results: StepResult[];
  /** what the exec wrote to stderr outside any step (sudo's complaints, shell errors) */
  stderr: string;
}

/**
 * @param steps shell snippets
 * @param stopOnFailure stop after the first step that exits non-zero (apply); facts run all steps
 * @param errexit run each step under `set -e`
 */
export function frameSteps(steps: (string | StepSpec)[], opts: { stopOnFailure: boolean; errexit: boolean }): FramedScript {
  const nonce = randomBytes(6).toString('hex');
  // in braces: the shell parses the whole script before it runs any of it, so a script cut short in
  // transit runs nothing
  const lines = ['{', 'umask 022'];
  steps.forEach((raw, i) => {
    const step: StepSpec = typeof raw === 'string' ? { script: raw, ...opts } : raw;
    // a step's stderr goes to the exec's own stderr, between markers of its own there: no temp file,
    // no program started for the framing
    lines.push(
      `printf '\\n<<RB:${nonce}:${i}\\n'; printf '\\n<<RB:${nonce}:${i}\\n' >&2`,
      `( ${body(step, nonce)}\n) </dev/null; __rb_c=$?`,
      `printf '\\n>>RB:${nonce}:${i}:%s\\n' "$__rb_c"; printf '\\n>>RB:${nonce}:${i}\\n' >&2`,
    );
    if (step.stopOnFailure) lines.push(`[ "$__rb_c" -eq 0 ] || exit "$__rb_c"`);
  });
  lines.push('}');
  const script = lines.join('\n') + '\n';
  const parse = (stdout: string, stderr = ''): FramedOutput => {
    const results: StepResult[] = [];
    const out = new RegExp(`\\n<<RB:${nonce}:(\\d+)\\n([\\s\\S]*?)\\n>>RB:${nonce}:\\1:(\\d+)\\n`, 'g');
    for (const m of ('\n' + stdout).matchAll(out)) results[Number(m[1])] = { stdout: m[2], stderr: '', code: Number(m[3]) };
    const err = new RegExp(`\\n<<RB:${nonce}:(\\d+)\\n([\\s\\S]*?)\\n>>RB:${nonce}:\\1\\n`, 'g');
    const outside = ('\n' + stderr).replace(err, (_all, i: string, text: string) => {
      if (results[Number(i)]) results[Number(i)].stderr = text;
      return '\n';
    });
    return { results, stderr: outside.replace(/^\n+/, '') };
  };
  return { script, parse };
}
