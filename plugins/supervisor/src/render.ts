/**
 * A program's config file. supervisord reads it with Python's RawConfigParser (inline comments start at
 * ` ;` or ` #`) and expands `%(…)s` in command, directory, environment and log file names, so a literal
 * `%` is written `%%`. Environment values are quoted for its `KEY="value",…` parser, which strips quote
 * characters from both ends of a value and has no escapes.
 */
import { errors, isSecret, reveal, type Secret } from '@runbook/core';
import type { ResolvedProgram } from './options.js';

/** The first line of every file this plugin writes: what `prune` recognises as its own. */
export const MARK = '; managed by Runbook (@runbook/supervisor): edits here are overwritten';

const pct = (s: string): string => s.replace(/%/g, '%%');

/** Refuses what supervisor would read differently from what was meant; `shown` hides secrets. */
export function checkValue(key: string, value: string, shown = JSON.stringify(value)): void {
  if (/[\r\n\0]/.test(value)) throw errors.options(`supervisor: ${key} must be a single line, got ${shown}`, { key });
  if (/\s[;#]/.test(value)) {
    throw errors.options(`supervisor: ${key} must not contain a space before ';' or '#' (supervisor reads the rest as a comment), got ${shown}`, { key });
  }
}

/** `"value"` (or `'value'` when it holds a double quote), as supervisor's environment parser reads it. */
export function envValue(key: string, v: string | Secret): string {
  const value = reveal(v);
  const shown = isSecret(v) ? 'a secret' : JSON.stringify(value);
  checkValue(key, value, shown);
  if (/^['"]|['"]$/.test(value)) throw errors.options(`supervisor: ${key} must not start or end with a quote character (supervisor strips them), got ${shown}`, { key });
  if (!value.includes('"')) return `"${pct(value)}"`;
  if (!value.includes("'")) return `'${pct(value)}'`;
  throw errors.options(`supervisor: ${key} must not contain both ' and " (supervisor's environment syntax has no escapes), got ${shown}`, { key });
}

/** The file's content (with secrets revealed: the caller wraps it in a Secret when the program is sensitive). */
export function renderProgram(p: ResolvedProgram): string {
  const k = (key: string) => `programs.${p.name}.${key}`;
  for (const [key, v] of [['command', p.command], ['directory', p.directory], ['stdoutLogfile', p.stdoutLogfile], ['stderrLogfile', p.stderrLogfile]] as const) {
    if (v !== undefined) checkValue(k(key), v);
  }
  const env = Object.entries(p.environment).map(([key, v]) => `${key}=${envValue(k(`environment.${key}`), v)}`);
  const many = p.numprocs > 1;
  // each copy its own log: `/var/log/supervisor/web.out_00.log`, …
  const log = (file: string) => {
    const f = pct(file);
    if (!many) return f;
    return /\.log$/.test(f) ? f.replace(/\.log$/, '_%(process_num)02d.log') : `${f}_%(process_num)02d`;
  };
  const lines = [
    MARK,
    `[program:${p.name}]`,
    `command=${pct(p.command)}`,
    ...(p.directory !== undefined ? [`directory=${pct(p.directory)}`] : []),
    `user=${p.user}`,
    ...(env.length ? [`environment=${env.join(',')}`] : []),
    `autostart=${p.autostart}`,
    `autorestart=${p.autorestart}`,
    `stopsignal=${p.stopsignal}`,
    `stopwaitsecs=${p.stopwaitsecs}`,
    `stdout_logfile=${log(p.stdoutLogfile)}`,
    `stderr_logfile=${log(p.stderrLogfile)}`,
    `numprocs=${p.numprocs}`,
    `process_name=${many ? '%(program_name)s_%(process_num)02d' : '%(program_name)s'}`,
    // stop the whole process group: a shell's children go with it
    'stopasgroup=true',
    'killasgroup=true',
  ];
  return lines.join('\n') + '\n';
}
