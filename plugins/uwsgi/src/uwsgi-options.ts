/** The uwsgi plugin's options, their defaults and their validation (before anything connects). */
import { checkOptionKeys, errors, optionKeys, type PlacementOptions } from '@runbook/core';

export type IniValue = string | number | boolean | string[];

export interface UwsgiOptions extends PlacementOptions {
  /**
   * Name of the systemd service (`<unit>.service`); also `/etc/<unit>/uwsgi.ini` and the runtime
   * directory `/run/<unit>/` that holds the socket.
   * @default 'uwsgi-<app name>'
   * @example 'shop-uwsgi'
   */
  unit?: string;
  /**
   * `'unix'`: a unix socket `/run/<unit>/uwsgi.sock`, owned by `socketUser`, mode 0600; or
   * `host:port` for the uwsgi protocol over TCP.
   * @default 'unix'
   * @example '127.0.0.1:3031'
   */
  socket?: 'unix' | `${string}:${number}`;
  /**
   * Worker processes (`processes`). Unset: `%k`, the number of CPU cores uWSGI detects at start.
   * @default %k (CPU cores)
   * @example 4
   */
  processes?: number;
  /**
   * Threads per worker (`threads`); `enable-threads` is always on so the app may start its own.
   * @default 1
   * @example 4
   */
  threads?: number;
  /**
   * Seconds a request may run before uWSGI kills its worker (`harakiri`). Unset: no limit.
   * @default undefined
   * @example 60
   */
  harakiri?: number;
  /**
   * Seconds workers get to finish their requests on a reload (`reload-mercy`, `worker-reload-mercy`);
   * the service's TimeoutStopSec is this plus 5.
   * @default 30
   * @example 60
   */
  gracefulTimeout?: number;
  /**
   * Owner of the unix socket (mode 0600: only it and root may connect). nginx runs as www-data.
   * @default 'www-data'
   * @example 'nginx'
   */
  socketUser?: string;
  /**
   * More `[uwsgi]` options, appended to the ini in order (an array value repeats the key). Values are
   * written as given: uWSGI expands `%x`, `$(VAR)` and `@(file)` in them.
   * @default {}
   * @example { 'buffer-size': 32768, 'max-requests': 1000, 'static-map': ['/media=/srv/shop/shared/media'] }
   */
  extraOptions?: Record<string, IniValue>;
}

/** Options with every default applied (the unit name needs the app: see `unitOf`). */
export interface ResolvedUwsgiOptions {
  unit?: string;
  socket: 'unix' | string;
  processes?: number;
  threads: number;
  harakiri?: number;
  gracefulTimeout: number;
  socketUser: string;
  extraOptions: [string, IniValue][];
}

const KEYS = optionKeys<UwsgiOptions>({
  on: true, unit: true, socket: true, processes: true, threads: true, harakiri: true, gracefulTimeout: true, socketUser: true, extraOptions: true,
});
const UNIT = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/;
const ACCOUNT = /^[a-z_][a-z0-9_.-]*\$?$/i;
const INI_KEY = /^[a-z0-9][a-z0-9-]*$/;
/** options the plugin writes itself: set them through the plugin's own options */
const OWN = new Set([
  'strict', 'plugins', 'plugin', 'uid', 'gid', 'chdir', 'virtualenv', 'home', 'module', 'wsgi', 'master', 'processes',
  'workers', 'threads', 'enable-threads', 'socket', 'uwsgi-socket', 'chown-socket', 'chmod-socket', 'vacuum', 'die-on-term',
  'need-app', 'harakiri', 'reload-mercy', 'worker-reload-mercy',
]);

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`uwsgi: ${key} must be ${expected}, got ${JSON.stringify(got)}`, { key });
};

const int = (key: string, v: unknown, min: number): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(key, `an integer ≥ ${min}`, v);
  return v as number;
};

const singleLine = (v: unknown): boolean => typeof v === 'string' && !/[\r\n]/.test(v);

function extra(o: Record<string, IniValue> | undefined): [string, IniValue][] {
  if (o === undefined) return [];
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('extraOptions', 'an object of uWSGI options', o);
  return Object.entries(o).map(([k, v]) => {
    const key = `extraOptions.${k}`;
    if (!INI_KEY.test(k)) bad(key, 'a uWSGI option name (lowercase letters, digits, -)', k);
    if (OWN.has(k)) bad(key, `an option the plugin does not write itself (use the plugin's own option for ${k})`, k);
    const ok = typeof v === 'number' ? Number.isFinite(v) : typeof v === 'boolean' || singleLine(v) || (Array.isArray(v) && v.every(singleLine));
    if (!ok) bad(key, 'a number, a boolean, a single-line string or an array of them', v);
    return [k, v];
  });
}

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveUwsgiOptions(o: UwsgiOptions = {}): ResolvedUwsgiOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object', o);
  checkOptionKeys('uwsgi', o, KEYS);
  if (o.unit !== undefined && (typeof o.unit !== 'string' || !UNIT.test(o.unit))) bad('unit', 'a systemd unit name without suffix (letters, digits, _ . @ -)', o.unit);
  const socket = o.socket ?? 'unix';
  if (socket !== 'unix') {
    const m = typeof socket === 'string' ? HOST_PORT.exec(socket) : null;
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) bad('socket', `'unix' or 'host:port' (e.g. '127.0.0.1:3031')`, socket);
  }
  const socketUser = o.socketUser ?? 'www-data';
  if (typeof socketUser !== 'string' || !ACCOUNT.test(socketUser)) bad('socketUser', 'a user name', socketUser);
  return {
    unit: o.unit,
    socket,
    processes: int('processes', o.processes, 1),
    threads: int('threads', o.threads, 1) ?? 1,
    harakiri: int('harakiri', o.harakiri, 1),
    gracefulTimeout: int('gracefulTimeout', o.gracefulTimeout, 1) ?? 30,
    socketUser,
    extraOptions: extra(o.extraOptions),
  };
}

/** The service name without suffix: the `unit` option, else `uwsgi-<app name>`. */
export const unitOf = (o: ResolvedUwsgiOptions, app: { name: string }): string => o.unit ?? `uwsgi-${app.name}`;

/** What nginx connects to: `/run/<unit>/uwsgi.sock` or `host:port`. */
export const listenOf = (o: ResolvedUwsgiOptions, app: { name: string }): string =>
  o.socket === 'unix' ? `/run/${unitOf(o, app)}/uwsgi.sock` : o.socket;

/** `/etc/<unit>/uwsgi.ini` */
export const iniPathOf = (o: ResolvedUwsgiOptions, app: { name: string }): string => `/etc/${unitOf(o, app)}/uwsgi.ini`;
