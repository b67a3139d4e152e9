/**
 * Every error Runbook raises has a stable code. The runner adds plugin, task and host to any error that
 * escapes a task, so messages read `[nginx.site web-1] nginx -t failed: <first stderr line>`.
 */
export type ErrorCode =
  | 'E_CONFIG' // runbook.config.* is malformed or names something that does not exist
  | 'E_INVENTORY' // an inventory file is malformed
  | 'E_UNKNOWN_ENV' // --env names no inventory
  | 'E_PLAYBOOK' // a playbook cannot be found or is malformed
  | 'E_OPTIONS' // a task or plugin got options of the wrong shape
  | 'E_USAGE' // bad command-line flags
  | 'E_CONNECT' // the host could not be reached or refused us
  | 'E_HOST_KEY' // unknown or changed host key
  | 'E_AUTH' // authentication failed
  | 'E_BECOME' // sudo -n refused
  | 'E_FACT' // a fact could not be read or parsed
  | 'E_COMMAND' // a remote command exited non-zero
  | 'E_VAULT' // a secrets file could not be decrypted
  | 'E_SECRETS' // the env's secrets file is missing, lacks a required key or holds a value too short to mask
  | 'E_INTERNAL';

/** Exit codes of the `run` command (DESIGN §7). */
export const ExitCode = { ok: 0, failed: 1, drift: 2, unreachable: 3, badInput: 4 } as const;

const badInputCodes: ReadonlySet<ErrorCode> = new Set([
  'E_CONFIG', 'E_INVENTORY', 'E_UNKNOWN_ENV', 'E_PLAYBOOK', 'E_OPTIONS', 'E_USAGE', 'E_VAULT', 'E_SECRETS',
]);

export interface ErrorDetails {
  /** file the bad input came from */
  file?: string;
  /** 1-based line in that file */
  line?: number;
  /** dotted path of the offending key, e.g. `hosts.web-1.port` */
  key?: string;
  host?: string;
  task?: string;
  plugin?: string;
  /** the command that failed (already masked) */
  command?: string;
  exitCode?: number | null;
  stderr?: string;
  stdout?: string;
}

export class RunbookError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunbookError';
    this.code = code;
    this.details = details;
  }
  /** true for errors that mean "fix your input" (exit code 4) */
  get isBadInput(): boolean {
    return badInputCodes.has(this.code);
  }
  /** `file:line: key: message`, the form editors can jump to */
  get location(): string {
    const { file, line, key } = this.details;
    const where = file ? `${file}${line ? `:${line}` : ''}` : '';
    return [where, key].filter(Boolean).join(': ');
  }
  override toString(): string {
    const where = this.location;
    return where ? `${where}: ${this.message}` : this.message;
  }
}

/**
 * The object a task works on is not on the host: a unit, a file, a program, a release's REVISION. Thrown
 * from a task's check (or a fact's parse) with what the task would do once the object exists. A real run
 * fails with it like with any error: its facts were read after every earlier change. Under --check
 * nothing is applied, so after an earlier change of the host's run (only predicted) the object may well
 * be that change's doing (a unit its package installs): the engine then reports `predicted` as the
 * task's change instead of failing (run-tasks.ts).
 */
export class MissingObject extends RunbookError {
  constructor(
    code: ErrorCode,
    message: string,
    /** what is missing, e.g. `nginx.service` */
    readonly object: string,
    /** the changes the task would make once the object exists, e.g. `start nginx.service` */
    readonly predicted: string[],
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
  }
}

const tail = (text: string | undefined, lines = 5): string | undefined =>
  text?.trimEnd().split('\n').slice(-lines).join('\n') || undefined;

export const errors = {
  config: (message: string, d: ErrorDetails = {}) => new RunbookError('E_CONFIG', message, d),
  inventory: (message: string, d: ErrorDetails = {}) => new RunbookError('E_INVENTORY', message, d),
  unknownEnv: (env: string, known: string[], dir: string) =>
    new RunbookError(
      'E_UNKNOWN_ENV',
      `unknown env "${env}": no ${dir}/${env}.yml; envs that exist: ${known.length ? known.join(', ') : '(none)'}`,
      { file: `${dir}/${env}.yml` },
    ),
  playbook: (message: string, d: ErrorDetails = {}) => new RunbookError('E_PLAYBOOK', message, d),
  options: (message: string, d: ErrorDetails = {}) => new RunbookError('E_OPTIONS', message, d),
  usage: (message: string) => new RunbookError('E_USAGE', message),
  connect: (host: string, message: string, cause?: unknown) =>
    new RunbookError('E_CONNECT', message, { host }, { cause }),
  hostKey: (host: string, message: string) => new RunbookError('E_HOST_KEY', message, { host }),
  auth: (host: string, message: string, cause?: unknown) => new RunbookError('E_AUTH', message, { host }, { cause }),
  become: (host: string, stderr: string) =>
    new RunbookError('E_BECOME', `sudo -n refused: ${tail(stderr, 1) ?? 'no output'}`, { host, stderr: tail(stderr) }),
  fact: (message: string, d: ErrorDetails = {}) => new RunbookError('E_FACT', message, d),
  command: (command: string, exitCode: number | null, stderr: string, d: ErrorDetails = {}) =>
    new RunbookError(
      'E_COMMAND',
      `${command} failed (exit ${exitCode ?? 'signal'})${stderr.trim() ? `: ${tail(stderr, 1)}` : ''}`,
      { ...d, command, exitCode, stderr: tail(stderr) },
    ),
  vault: (message: string, d: ErrorDetails = {}) => new RunbookError('E_VAULT', message, d),
  secrets: (message: string, d: ErrorDetails = {}) => new RunbookError('E_SECRETS', message, d),
  /** see MissingObject; `code` is what a real run fails with */
  missing: (code: ErrorCode, message: string, object: string, predicted: string[], d: ErrorDetails = {}) =>
    new MissingObject(code, message, object, predicted, d),
  internal: (message: string, cause?: unknown) => new RunbookError('E_INTERNAL', message, {}, { cause }),
};

/** Wraps anything thrown into a RunbookError, keeping what we know about where it happened. */
export function toRunbookError(e: unknown, d: ErrorDetails = {}): RunbookError {
  if (e instanceof RunbookError) {
    Object.assign(e.details, Object.fromEntries(Object.entries(d).filter(([k]) => !(k in e.details))));
    return e;
  }
  const message = e instanceof Error ? e.message : String(e);
  return new RunbookError('E_INTERNAL', message, d, { cause: e });
}
