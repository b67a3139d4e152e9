/**
 * Framing of many shell steps in one remote exec. Each step runs in its own subshell with stdin closed;
 * its stdout, stderr and exit status come back between markers that carry a per-exec nonce, so no step
 * output can forge a marker. This is what lets a whole task (or, later, a whole phase) cost one round trip.
 */
import { randomBytes } from 'node:crypto';

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
}

export interface FramedScript {
  script: string;
  /** splits the exec's stdout back into step results (only the steps that ran) */
  parse(stdout: string): StepResult[];
}

/**
 * @param steps shell snippets
 * @param stopOnFailure stop after the first step that exits non-zero (apply); facts run all steps
 * @param errexit run each step under `set -e`
 */
export function frameSteps(steps: (string | StepSpec)[], opts: { stopOnFailure: boolean; errexit: boolean }): FramedScript {
  const nonce = randomBytes(6).toString('hex');
  const lines = ['__rb_e=$(mktemp) || exit 97', 'trap \'rm -f "$__rb_e"\' EXIT', 'umask 022'];
  steps.forEach((raw, i) => {
    const step: StepSpec = typeof raw === 'string' ? { script: raw, ...opts } : raw;
    lines.push(
      `printf '\\n<<RB:${nonce}:${i}\\n'`,
      `( ${step.errexit ? 'set -e; ' : ''}${step.script}\n) </dev/null 2>"$__rb_e"; __rb_c=$?`,
      `printf '\\n::RB:${nonce}:${i}\\n'; [ ! -s "$__rb_e" ] || cat "$__rb_e"; printf '\\n>>RB:${nonce}:${i}:%s\\n' "$__rb_c"`,
    );
    if (step.stopOnFailure) lines.push(`[ "$__rb_c" -eq 0 ] || exit "$__rb_c"`);
  });
  const script = lines.join('\n') + '\n';
  const parse = (stdout: string): StepResult[] => {
    const results: StepResult[] = [];
    const re = new RegExp(`\\n<<RB:${nonce}:(\\d+)\\n([\\s\\S]*?)\\n::RB:${nonce}:\\1\\n([\\s\\S]*?)\\n>>RB:${nonce}:\\1:(\\d+)\\n`, 'g');
    for (const m of ('\n' + stdout).matchAll(re)) {
      results[Number(m[1])] = { stdout: m[2], stderr: m[3], code: Number(m[4]) };
    }
    return results;
  };
  return { script, parse };
}
