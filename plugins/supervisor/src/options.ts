/**
 * The supervisor plugin's options, their defaults and their validation. Validation runs when the plugin
 * is made (in runbook.config.ts), before anything connects: a bad value is an E_OPTIONS error that names
 * the key (`programs.web.stopwaitsecs`) and what was expected.
 */
import { checkOptionKeys, errors, isSecret, optionKeys, type Secret, type PlacementOptions } from '@runbook/core';

/** One `[program:<name>]` section: a process (or `numprocs` copies of it) that supervisord keeps running. */
export interface ProgramOptions {
  /**
   * The command line supervisord runs (no shell: use `/bin/sh -c '…'` for pipes or `&&`).
   * @example '/srv/shop/current/.venv/bin/python -m shop.worker'
   */
  command: string;
  /**
   * Working directory of the process.
   * @default supervisord's (/)
   * @example '/srv/shop/current'
   */
  directory?: string;
  /**
   * The user the process runs as.
   * @default 'root'
   * @example 'shop'
   */
  user?: string;
  /**
   * Extra environment variables. A `Secret` value is written as its real value, never shown, and makes
   * the config file 0600 (supervisord reads it as root).
   * @default {}
   * @example { DJANGO_SETTINGS_MODULE: 'shop.settings', API_TOKEN: secret(process.env.API_TOKEN!) }
   */
  environment?: Record<string, string | Secret>;
  /**
   * Start when supervisord starts.
   * @default true
   */
  autostart?: boolean;
  /**
   * Restart after an exit: `true` always, `false` never, `'unexpected'` only after an exit status not
   * in supervisor's `exitcodes` (0).
   * @default true
   */
  autorestart?: boolean | 'unexpected';
  /**
   * Signal that stops the process (without `SIG`).
   * @default 'TERM'
   * @example 'QUIT'
   */
  stopsignal?: 'TERM' | 'HUP' | 'INT' | 'QUIT' | 'KILL' | 'USR1' | 'USR2';
  /**
   * Seconds supervisord waits after `stopsignal` before it sends KILL.
   * @default 10
   * @example 60
   */
  stopwaitsecs?: number;
  /**
   * File for the process's stdout.
   * @default '/var/log/supervisor/<name>.out.log'
   */
  stdoutLogfile?: string;
  /**
   * File for the process's stderr.
   * @default '/var/log/supervisor/<name>.err.log'
   */
  stderrLogfile?: string;
  /**
   * Number of copies; more than one are named `<name>_00`, `<name>_01`, … (`process_name`), and each
   * gets `%(process_num)02d` appended to its log file names.
   * @default 1
   * @example 4
   */
  numprocs?: number;
}

export interface SupervisorOptions extends PlacementOptions {
  /**
   * The programs by name: each is written to `/etc/supervisor/conf.d/<name>.conf`. A name is letters,
   * digits, `_`, `.` and `-`.
   * @default {}
   * @example { worker: { command: '/srv/shop/current/.venv/bin/celery -A shop worker', user: 'shop', directory: '/srv/shop/current' } }
   */
  programs?: Record<string, ProgramOptions>;
  /**
   * Remove program configs this plugin wrote earlier (marked by their first line) whose program is no
   * longer listed; supervisord then stops those programs. Files without the mark are never touched.
   * @default true
   */
  prune?: boolean;
}

/** A program with every default applied. */
export interface ResolvedProgram {
  name: string;
  command: string;
  directory?: string;
  user: string;
  environment: Record<string, string | Secret>;
  autostart: boolean;
  autorestart: boolean | 'unexpected';
  stopsignal: string;
  stopwaitsecs: number;
  stdoutLogfile: string;
  stderrLogfile: string;
  numprocs: number;
  /** `/etc/supervisor/conf.d/<name>.conf` */
  file: string;
  /** an environment value is a Secret: the file is 0600 and its content never shown */
  sensitive: boolean;
}

export interface ResolvedSupervisorOptions {
  programs: ResolvedProgram[];
  prune: boolean;
}

export const CONF_DIR = '/etc/supervisor/conf.d';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ACCOUNT = /^[a-z_][a-z0-9_.-]*\$?$/i;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SIGNALS = ['TERM', 'HUP', 'INT', 'QUIT', 'KILL', 'USR1', 'USR2'];
const KEYS = optionKeys<SupervisorOptions>({ on: true, programs: true, prune: true });
const PROGRAM_KEYS = optionKeys<ProgramOptions>({
  command: true, directory: true, user: true, environment: true, autostart: true, autorestart: true, stopsignal: true, stopwaitsecs: true,
  stdoutLogfile: true, stderrLogfile: true, numprocs: true,
});

const shown = (v: unknown): string => (isSecret(v) ? 'a secret' : JSON.stringify(v) ?? String(v));
const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`supervisor: ${key} must be ${expected}, got ${shown(got)}`, { key });
};
const line = (key: string, v: unknown): string => {
  if (typeof v !== 'string' || v.trim() === '' || /[\r\n\0]/.test(v)) bad(key, 'a non-empty single-line string', v);
  return v as string;
};
const absolute = (key: string, v: unknown): string => {
  if (typeof v !== 'string' || !v.startsWith('/') || /[\r\n\0]/.test(v)) bad(key, 'an absolute path', v);
  return v as string;
};
const bool = (key: string, v: unknown, dflt: boolean): boolean => {
  if (v !== undefined && typeof v !== 'boolean') bad(key, 'true or false', v);
  return (v as boolean | undefined) ?? dflt;
};
const int = (key: string, v: unknown, dflt: number, min: number, max: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(key, `an integer from ${min} to ${max}`, v);
  return v as number;
};

function resolveProgram(name: string, p: ProgramOptions): ResolvedProgram {
  const k = (key: string) => `programs.${name}.${key}`;
  if (!NAME.test(name)) bad(`programs.${name}`, 'named with letters, digits, _ . - (a file name and a supervisor program name)', name);
  if (!p || typeof p !== 'object' || Array.isArray(p)) bad(`programs.${name}`, 'an object', p);
  checkOptionKeys('supervisor', p, PROGRAM_KEYS, `programs.${name}`);
  const environment = p.environment ?? {};
  if (!environment || typeof environment !== 'object' || Array.isArray(environment)) bad(k('environment'), 'an object of variables', environment);
  for (const [key, v] of Object.entries(environment)) {
    if (!ENV_KEY.test(key)) bad(k(`environment.${key}`), 'a variable name (letters, digits, _)', key);
    if (isSecret(v)) continue;
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) bad(k(`environment.${key}`), 'a single-line string or a Secret', v);
  }
  const autorestart = p.autorestart ?? true;
  if (autorestart !== true && autorestart !== false && autorestart !== 'unexpected') bad(k('autorestart'), "true, false or 'unexpected'", autorestart);
  const stopsignal = p.stopsignal ?? 'TERM';
  if (!SIGNALS.includes(stopsignal)) bad(k('stopsignal'), `one of ${SIGNALS.join(', ')}`, stopsignal);
  const user = p.user ?? 'root';
  if (typeof user !== 'string' || !ACCOUNT.test(user)) bad(k('user'), 'a user name', user);
  return {
    name,
    command: line(k('command'), p.command),
    directory: p.directory === undefined ? undefined : absolute(k('directory'), p.directory),
    user,
    environment,
    autostart: bool(k('autostart'), p.autostart, true),
    autorestart,
    stopsignal,
    stopwaitsecs: int(k('stopwaitsecs'), p.stopwaitsecs, 10, 0, 86_400),
    stdoutLogfile: absolute(k('stdoutLogfile'), p.stdoutLogfile ?? `/var/log/supervisor/${name}.out.log`),
    stderrLogfile: absolute(k('stderrLogfile'), p.stderrLogfile ?? `/var/log/supervisor/${name}.err.log`),
    numprocs: int(k('numprocs'), p.numprocs, 1, 1, 100),
    file: `${CONF_DIR}/${name}.conf`,
    sensitive: Object.values(environment).some(isSecret),
  };
}

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveSupervisorOptions(o: SupervisorOptions = {}): ResolvedSupervisorOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object', o);
  checkOptionKeys('supervisor', o, KEYS);
  const programs = o.programs ?? {};
  if (!programs || typeof programs !== 'object' || Array.isArray(programs)) bad('programs', 'an object of programs by name', programs);
  return {
    programs: Object.entries(programs).map(([name, p]) => resolveProgram(name, p)),
    prune: bool('prune', o.prune, true),
  };
}
