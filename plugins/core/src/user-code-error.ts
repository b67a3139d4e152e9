/**
 * An error thrown by the project's own code — runbook.config.ts, a playbook, a plugin of the team's — is
 * bad input (exit 4), not an internal error: it is named by the file and line of the throw, read from
 * the error's stack. A throw inside Runbook or another package is named by the user's line that called it.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunbookError, type ErrorCode, type ErrorDetails } from './errors.js';

export interface StackFrame {
  file: string;
  line: number;
}

// what holds Runbook's own packages: the repo's plugins/, or node_modules/@runbook once installed
const runbookDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

const frameRe = /^\s*at (?:.*?\()?((?:file:\/\/)?[^\s()]+?):(\d+):\d+\)?$/gm;
// the copy load-module imports a module through: `.<name>.<pid>.<n>.mjs|mts` beside it
const copyRe = /^\.(.+)\.\d+\.\d+\.m[jt]s$/;

/** The module a load-module copy stands for (the copy is gone once imported); any other file as it is. */
function originalOf(file: string): string {
  const m = copyRe.exec(basename(file));
  if (!m) return file;
  return ['.ts', '.mts', '.cts', '.js', '.mjs'].map((ext) => join(dirname(file), m[1] + ext)).find((f) => existsSync(f)) ?? file;
}

/** The frames of a V8 stack that name a file and line, innermost first. */
export function stackFrames(stack: string): StackFrame[] {
  return [...stack.matchAll(frameRe)].map((m) => ({
    file: originalOf(m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1]),
    line: Number(m[2]),
  }));
}

const isUserFile = (file: string): boolean =>
  isAbsolute(file) && !file.split(sep).includes('node_modules') && !file.startsWith(runbookDir + sep);

/**
 * Where the user's code threw: the innermost frame outside Runbook, node_modules and Node itself, among
 * the frames above `caller` (the Runbook module that called the user's code: frames below it are
 * Runbook's and the CLI's own).
 */
export function thrownAt(e: unknown, caller?: string): StackFrame | undefined {
  const frames = stackFrames(e instanceof Error ? (e.stack ?? '') : '');
  const cut = caller ? frames.findIndex((f) => f.file === caller) : -1;
  return (cut >= 0 ? frames.slice(0, cut) : frames).find((f) => isUserFile(f.file));
}

/** A path as the user reads it: relative to the working directory when inside it. */
const shown = (file: string, cwd = process.cwd()): string => {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
};

/**
 * The error user code threw, as bad input naming the file and line of the throw. A RunbookError that is
 * already bad input keeps its code and message (it gets the location and host when it has none). Undefined when
 * the throw came from no user code (a bug in Runbook or a package): the caller lets it through as it is.
 * @example throw userCodeError(e, 'E_PLAYBOOK', `phase "${phase.name}" for ${host.alias}`, { caller, details: { host: host.alias } }) ?? e
 */
export function userCodeError(
  e: unknown,
  code: Extract<ErrorCode, 'E_CONFIG' | 'E_PLAYBOOK'>,
  doing: string,
  opts: { caller?: string; file?: string; details?: ErrorDetails } = {},
): RunbookError | undefined {
  const at = thrownAt(e, opts.caller);
  const where = at ? { file: shown(at.file), line: at.line } : opts.file ? { file: shown(opts.file) } : undefined;
  if (e instanceof RunbookError) {
    if (!e.isBadInput) return undefined;
    // what it lacks of where it happened (the line that passed a bad option, the host)
    const known = { ...opts.details, ...(e.details.file ? {} : where) };
    Object.assign(e.details, Object.fromEntries(Object.entries(known).filter(([k]) => e.details[k as keyof ErrorDetails] === undefined)));
    return e;
  }
  // a non-Error (throw 'text') has no stack, but no Runbook code throws one
  if (!where && e instanceof Error) return undefined;
  const message = e instanceof Error ? e.message : String(e);
  return new RunbookError(code, `${doing}: ${message}`, { ...opts.details, ...where }, { cause: e });
}
