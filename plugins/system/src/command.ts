/**
 * `command.run`: a command that must say when it is already done. A guard (`creates`, `removes`,
 * `unless`, `onlyIf`) is read as a fact, so a satisfied guard costs one exec and changes nothing; only an
 * explicit `always: true` runs unguarded (and then always reports changed).
 */
import { changes, defineTask, errors, isSecret, noop, quote, reveal, type Command, type FactRequest, type Plan, type Secret, type TaskType } from '@runbook/core';
import { absolutePath, fail, optionalBoolean, optionalString, requireObject } from './options.js';

export interface CommandOptions {
  /**
   * A shell command line (run by `sh`), or an argv array whose words are quoted one by one.
   * @example ['/srv/app/venv/bin/python', 'manage.py', 'migrate', '--noinput']
   * @example 'make install PREFIX=/usr/local'
   */
  run: string | string[];
  /**
   * Skip when this path exists (re-tested right before running).
   * @default undefined
   * @example '/srv/app/venv/bin/python'
   */
  creates?: string;
  /**
   * Skip when this path does not exist (re-tested right before running).
   * @default undefined
   * @example '/tmp/install.lock'
   */
  removes?: string;
  /**
   * Shell snippet: skip when it exits 0. Runs with the same `cwd` and `env`.
   * @default undefined
   * @example 'psql -tAc "select 1 from pg_roles where rolname = \'app\'" | grep -q 1'
   */
  unless?: string;
  /**
   * Shell snippet: run only when it exits 0. Runs with the same `cwd` and `env`.
   * @default undefined
   * @example 'test -f /etc/app/needs-reindex'
   */
  onlyIf?: string;
  /**
   * Working directory (absolute).
   * @default the login directory
   * @example '/srv/app/current'
   */
  cwd?: string;
  /**
   * Environment variables for the command (and `unless`/`onlyIf`). Secrets are masked in output.
   * @default {}
   * @example { DJANGO_SETTINGS_MODULE: 'app.settings', DATABASE_URL: secret(url) }
   */
  env?: Record<string, string | Secret>;
  /**
   * Run without any guard, and report changed every time. Required when no guard is given.
   * @default false
   * @example true
   */
  always?: boolean;
}

type Guard = 'creates' | 'removes' | 'unless' | 'onlyIf';
type GuardFacts = Partial<Record<Guard, number>>;

const commandLine = (o: CommandOptions): string => (Array.isArray(o.run) ? o.run.map((w) => quote(w)).join(' ') : o.run);
const display = (o: CommandOptions): string => (Array.isArray(o.run) ? o.run.join(' ') : o.run);

/** `cd` and `export` lines for the command and its shell guards. */
function prelude(o: CommandOptions): string[] {
  const lines = o.cwd !== undefined ? [`cd -- ${quote(o.cwd)}`] : [];
  for (const [k, v] of Object.entries(o.env ?? {})) lines.push(`export ${k}=${quote(reveal(v))}`);
  return lines;
}

const exitCode = (command: string): FactRequest<number> => ({ command, parse: (out) => out.code });

function facts(o: CommandOptions): Record<string, FactRequest<number>> {
  const f: Record<string, FactRequest<number>> = {};
  if (o.creates !== undefined) f.creates = exitCode(`[ -e ${quote(o.creates)} ] || [ -L ${quote(o.creates)} ]`);
  if (o.removes !== undefined) f.removes = exitCode(`[ -e ${quote(o.removes)} ] || [ -L ${quote(o.removes)} ]`);
  const pre = prelude(o).join('\n');
  if (o.unless !== undefined) f.unless = exitCode(`${pre ? `${pre} || exit 125\n` : ''}${o.unless}`);
  if (o.onlyIf !== undefined) f.onlyIf = exitCode(`${pre ? `${pre} || exit 125\n` : ''}${o.onlyIf}`);
  return f;
}

function check(f: GuardFacts, o: CommandOptions): Plan {
  const run = `run ${display(o)}`;
  if (f.creates === 0) return noop(`${o.creates} exists (creates)`);
  // under --check, an earlier change (only predicted) may create what these guards wait for
  if (f.removes !== undefined && f.removes !== 0) {
    return { ...noop(`${o.removes} does not exist (removes)`), ifEarlierChanges: [`${run} (if an earlier change creates ${o.removes})`] };
  }
  if (f.unless === 0) return noop(`unless \`${o.unless}\` succeeded`);
  if (f.onlyIf !== undefined && f.onlyIf !== 0) {
    return { ...noop(`onlyIf \`${o.onlyIf}\` failed (exit ${f.onlyIf})`), ifEarlierChanges: [`${run} (if an earlier change makes \`${o.onlyIf}\` succeed)`] };
  }
  return changes([run]);
}

function apply(o: CommandOptions): Command[] {
  const lines: string[] = [];
  // the path guards are re-tested right before running: cheap, and safe against a stale fact
  if (o.creates !== undefined) lines.push(`if [ -e ${quote(o.creates)} ] || [ -L ${quote(o.creates)} ]; then exit 0; fi`);
  if (o.removes !== undefined) lines.push(`if [ ! -e ${quote(o.removes)} ] && [ ! -L ${quote(o.removes)} ]; then exit 0; fi`);
  lines.push(...prelude(o), commandLine(o));
  return [{ script: lines.join('\n'), display: display(o) }];
}

export const commandType: TaskType<CommandOptions, GuardFacts> = {
  name: 'command.run',
  describe: display,
  validate(o) {
    requireObject('command', o);
    const okRun = typeof o.run === 'string' ? o.run.trim() !== '' : Array.isArray(o.run) && o.run.length > 0 && o.run.every((w) => typeof w === 'string');
    if (!okRun) fail('run', 'a command line or a non-empty argv array of strings', o.run);
    if (o.creates !== undefined) absolutePath('creates', o.creates, true);
    if (o.removes !== undefined) absolutePath('removes', o.removes, true);
    optionalString('unless', o.unless);
    optionalString('onlyIf', o.onlyIf);
    if (o.cwd !== undefined) absolutePath('cwd', o.cwd, true);
    optionalBoolean('always', o.always);
    for (const [k, v] of Object.entries(o.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) fail(`env.${k}`, 'a variable name (letters, digits, _)', k);
      if (typeof v !== 'string' && !isSecret(v)) fail(`env.${k}`, 'a string or Secret', v);
    }
    const guarded = ['creates', 'removes', 'unless', 'onlyIf'].some((k) => o[k as Guard] !== undefined);
    if (!guarded && o.always !== true) {
      throw errors.options(
        'a command needs a guard to stay idempotent: set creates, removes, unless or onlyIf (or always: true to run it every time)',
        { key: 'creates' },
      );
    }
  },
  facts: (o) => facts(o) as never,
  // its facts read only the creates/removes paths (onlyIf/unless are shell tests of anything); its
  // apply may change anything, so the tasks after it read their facts afresh
  touches: (o) => {
    const paths = [o.creates, o.removes].filter((p): p is string => p !== undefined);
    if (o.onlyIf !== undefined || o.unless !== undefined || paths.some((p) => !p.startsWith('/'))) return undefined;
    return paths.map((p) => `path:${p}`);
  },
  changesAnything: () => true,
  check: (f, o) => check(f, o),
  apply: (_plan, o) => apply(o),
};

/**
 * A guarded command.
 * @example command({ run: ['python3', '-m', 'venv', '/srv/app/venv'], creates: '/srv/app/venv/bin/python' })
 */
export const command = defineTask(commandType);
