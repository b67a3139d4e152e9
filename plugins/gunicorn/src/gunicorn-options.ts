/** The gunicorn plugin's options, their defaults and their validation (before anything connects). */
import { checkOptionKeys, errors, optionKeys, type PlacementOptions } from '@runbook/core';

export interface GunicornOptions extends PlacementOptions {
  /**
   * Name of the systemd units: `<unit>.socket` and `<unit>.service`; also `/run/<unit>.sock` and
   * `/etc/<unit>/gunicorn.conf.py`.
   * @default 'gunicorn'; `'gunicorn-<app name>'` when the config has several apps
   * @example 'shop-gunicorn'
   */
  unit?: string;
  /**
   * `'unix'`: a unix socket `/run/<unit>.sock` (nginx connects as www-data); or `host:port` for TCP.
   * Either way systemd owns the listening socket (socket activation), so restarts drop no connection.
   * @default 'unix'
   * @example '127.0.0.1:8000'
   */
  bind?: 'unix' | `${string}:${number}`;
  /**
   * Number of worker processes. Unset: `multiprocessing.cpu_count() * 2 + 1`, computed on the host
   * when gunicorn starts (no fact needed).
   * @default cpu_count() * 2 + 1
   * @example 4
   */
  workers?: number;
  /**
   * Serve the app's ASGI callable (`site.app.asgi`) with uvicorn's gunicorn worker
   * (`uvicorn.workers.UvicornWorker`, Debian package python3-uvicorn) instead of WSGI.
   * @default false
   * @example true
   */
  asgi?: boolean;
  /**
   * Seconds a worker may stay silent before the master kills and replaces it (`timeout`).
   * @default 30
   * @example 60
   */
  timeout?: number;
  /**
   * Seconds workers get to finish their requests on a stop or reload (`graceful_timeout`); the
   * service's TimeoutStopSec is this plus 5.
   * @default 30
   * @example 10
   */
  gracefulTimeout?: number;
  /**
   * More gunicorn command-line arguments, appended to ExecStart (quoted for systemd).
   * @default []
   * @example ['--max-requests', '1000', '--max-requests-jitter', '50']
   */
  extraArgs?: string[];
  /**
   * How a deploy makes the new release live after the switch (reload-task.ts).
   * - `'restart'`: `systemctl restart <unit>.service`. A new master starts from scratch: the new
   *   release's venv, code, working directory and a re-read `.env`. Requests arriving meanwhile wait in
   *   systemd's listening socket; in-flight ones are finished (SIGTERM is gunicorn's graceful stop).
   * - `'hup'`: `systemctl reload` (SIGHUP): the master forks new workers, which import the app from
   *   `current`, and stops the old ones; no stop, no new interpreter. But the master keeps the modules it
   *   imported (gunicorn's own) and its environment (a changed `.env` is not read).
   * - `'auto'`: `hup` when the running master was started by a deploy's restart from the venv the new
   *   release uses (unchanged requirements share one venv), else `restart`. A changed `.env` or config
   *   restarts gunicorn at configure, and a master started any other way is restarted.
   * @default 'auto'
   * @example 'restart'
   */
  reload?: 'auto' | 'restart' | 'hup';
  /**
   * Owner of the unix socket (only this user and root may connect: mode 0600). nginx runs as www-data.
   * @default 'www-data'
   * @example 'nginx'
   */
  socketUser?: string;
}

/** Options with every default applied. */
export interface ResolvedGunicornOptions {
  unit: string;
  /** `/run/<unit>.sock` or `host:port` */
  listen: string;
  unixSocket: boolean;
  workers?: number;
  asgi: boolean;
  timeout: number;
  gracefulTimeout: number;
  extraArgs: string[];
  reload: 'auto' | 'restart' | 'hup';
  socketUser: string;
  /** `/etc/<unit>/gunicorn.conf.py` */
  configFile: string;
}

const KEYS = optionKeys<GunicornOptions>({
  on: true, unit: true, bind: true, workers: true, asgi: true, timeout: true, gracefulTimeout: true, extraArgs: true, reload: true, socketUser: true,
});
const UNIT = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const ACCOUNT = /^[a-z_][a-z0-9_.-]*\$?$/i;

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`gunicorn: ${key} must be ${expected}, got ${JSON.stringify(got)}`, { key });
};

const positiveInt = (key: string, v: unknown, min = 1): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(key, `an integer ≥ ${min}`, v);
  return v as number;
};

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveGunicornOptions(o: GunicornOptions = {}): ResolvedGunicornOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object', o);
  checkOptionKeys('gunicorn', o, KEYS);
  const unit = o.unit ?? 'gunicorn';
  if (typeof unit !== 'string' || !UNIT.test(unit)) bad('unit', 'a systemd unit name without suffix (letters, digits, _ . @ -)', unit);
  const bind = o.bind ?? 'unix';
  let listen: string;
  if (bind === 'unix') listen = `/run/${unit}.sock`;
  else {
    const m = typeof bind === 'string' ? HOST_PORT.exec(bind) : null;
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) bad('bind', `'unix' or 'host:port' (e.g. '127.0.0.1:8000')`, bind);
    listen = bind;
  }
  if (o.asgi !== undefined && typeof o.asgi !== 'boolean') bad('asgi', 'a boolean', o.asgi);
  const extraArgs = o.extraArgs ?? [];
  if (!Array.isArray(extraArgs) || extraArgs.some((a) => typeof a !== 'string' || a.includes('\n'))) {
    bad('extraArgs', 'an array of single-line strings', extraArgs);
  }
  const reload = o.reload ?? 'auto';
  if (reload !== 'auto' && reload !== 'restart' && reload !== 'hup') bad('reload', `'auto', 'restart' or 'hup'`, reload);
  const socketUser = o.socketUser ?? 'www-data';
  if (typeof socketUser !== 'string' || !ACCOUNT.test(socketUser)) bad('socketUser', 'a user name', socketUser);
  return {
    unit,
    listen,
    unixSocket: bind === 'unix',
    workers: positiveInt('workers', o.workers),
    asgi: o.asgi ?? false,
    timeout: positiveInt('timeout', o.timeout, 0) ?? 30,
    gracefulTimeout: positiveInt('gracefulTimeout', o.gracefulTimeout, 0) ?? 30,
    extraArgs,
    reload,
    socketUser,
    configFile: `/etc/${unit}/gunicorn.conf.py`,
  };
}
