/** The dragonfly plugin's options, their defaults and their validation (before anything connects). */
import { checkOptionKeys, errors, isSecret, optionKeys, reveal, secret, type Secret, type PlacementOptions } from '@runbook/core';

export interface DragonflyOptions extends PlacementOptions {
  /**
   * Where the server executable comes from: a pinned release URL of the executable itself, or of a
   * `.tar.gz` / `.tgz` release archive holding it (see `archiveMember`).
   * @example 'https://github.com/dragonflydb/dragonfly/releases/download/v1.21.2/dragonfly-x86_64.tar.gz'
   */
  url: string;
  /**
   * sha256 of what `url` serves (the executable, or the archive), 64 hex digits. A download that does
   * not match fails before anything is replaced; the installed binary stays.
   * @example '3f1d…(64 hex digits)'
   */
  sha256: string;
  /**
   * For an archive URL: the executable's path inside it.
   * @default the archive's file name without .tar.gz / .tgz (Dragonfly's layout: `dragonfly-x86_64`)
   * @example 'dragonfly-x86_64'
   */
  archiveMember?: string;
  /**
   * TCP port (`--port`).
   * @default 6379
   * @example 6380
   */
  port?: number;
  /**
   * Address to listen on (`--bind`, one address: Dragonfly takes one): an IPv4/IPv6 address or `localhost`.
   * Unset: loopback, or the host's private address when the app or celery runs on other hosts of the
   * env (a password is then required).
   * @default '127.0.0.1', or the private address when clients live on other hosts
   * @example '0.0.0.0'
   */
  bind?: string;
  /**
   * Password clients must give (`--requirepass`). A string is wrapped as a Secret. `false`: no password
   * even if the env's secrets have one. Unset: the env's secret named by `passwordSecret`, if present.
   * @default the env's secret DRAGONFLY_PASSWORD, else none
   * @example secret(process.env.DRAGONFLY_PASSWORD!)
   */
  password?: string | Secret | false;
  /**
   * Name of the env's secret that holds the password when `password` is unset.
   * @default 'DRAGONFLY_PASSWORD'
   * @example 'REDIS_PASSWORD'
   */
  passwordSecret?: string;
  /**
   * Memory limit (`--maxmemory`): bytes, or a number with k, kb, m, mb, g or gb. Unset: the server's default.
   * @default undefined
   * @example '512mb'
   */
  maxMemory?: string | number;
  /**
   * Variables of the app's `.env` (`site.env`) that get the broker URL.
   * @default ['CELERY_BROKER_URL', 'REDIS_URL']
   * @example ['CELERY_BROKER_URL']
   */
  envVars?: string[];
}

/** Options with every default applied (the password is resolved per host, from the env's secrets). */
export interface ResolvedDragonflyOptions {
  url: string;
  sha256: string;
  /** set for an archive URL */
  archive?: { member: string; cache: string };
  port: number;
  bind: string;
  /** `bind` was given (not the default): it is kept when clients live on other hosts */
  bindGiven: boolean;
  password?: Secret | false;
  passwordSecret: string;
  maxMemory?: string;
  envVars: string[];
}

/** Fixed by the manual steps this plugin replaces. */
export const DRAGONFLY = {
  user: 'dragonfly',
  home: '/var/lib/dragonfly',
  shell: '/bin/bash',
  binary: '/usr/local/bin/dragonfly',
  unit: 'dragonfly.service',
  /** root-only (0600) EnvironmentFile of the unit: the password, as REDISCLI_AUTH */
  envFile: '/etc/dragonfly/dragonfly.env',
  cli: '/usr/bin/redis-cli',
  /** where a release archive is kept (the download's sha256 makes it idempotent) */
  cacheDir: '/var/cache/dragonfly',
} as const;

const KEYS = optionKeys<DragonflyOptions>({
  on: true, url: true, sha256: true, archiveMember: true, port: true, bind: true, password: true, passwordSecret: true, maxMemory: true, envVars: true,
});
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;
const MEMORY = /^\d+(?:[kmg]b?)?$/i;
const VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`dragonfly: ${key} must be ${expected}, got ${isSecret(got) ? 'a secret' : JSON.stringify(got)}`, { key });
};

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveDragonflyOptions(o: DragonflyOptions): ResolvedDragonflyOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object with url and sha256', o);
  checkOptionKeys('dragonfly', o, KEYS);
  if (typeof o.url !== 'string' || !/^(https?|ftp):\/\/[^\s]+$/.test(o.url)) bad('url', 'an http(s):// or ftp:// URL without spaces', o.url);
  if (typeof o.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(o.sha256)) bad('sha256', "the 64 hex digits of the binary's sha256", o.sha256);
  let archive: ResolvedDragonflyOptions['archive'];
  const name = o.url.replace(/[?#].*$/, '').split('/').pop() ?? '';
  const m = /^(.+)\.(?:tar\.gz|tgz)$/.exec(name);
  if (o.archiveMember !== undefined && !m) bad('archiveMember', 'unset: url is not a .tar.gz or .tgz archive', o.archiveMember);
  if (m) {
    const member = o.archiveMember ?? m[1];
    if (typeof member !== 'string' || !/^[A-Za-z0-9_.+@-][A-Za-z0-9_.+@/-]*$/.test(member) || member.split('/').includes('..')) {
      bad('archiveMember', 'a relative path inside the archive (letters, digits, _ . + @ - /)', member);
    }
    if (!/^[A-Za-z0-9_.+@-]+$/.test(name)) bad('url', 'an archive URL whose file name is letters, digits, _ . + @ -', o.url);
    archive = { member, cache: `${DRAGONFLY.cacheDir}/${name}` };
  }
  const port = o.port ?? 6379;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) bad('port', 'an integer from 1 to 65535', port);
  const bind = o.bind ?? '127.0.0.1';
  if (typeof bind !== 'string' || !(bind === 'localhost' || IPV4.test(bind) || IPV6.test(bind))) bad('bind', "an IPv4 or IPv6 address or 'localhost'", bind);
  let password: Secret | false | undefined;
  if (o.password === false) password = false;
  else if (o.password !== undefined) {
    if (typeof o.password !== 'string' && !isSecret(o.password)) bad('password', 'a string, a Secret or false', o.password);
    password = typeof o.password === 'string' ? secret(o.password, 'dragonfly password') : o.password;
    checkPassword(password, 'password');
  }
  const passwordSecret = o.passwordSecret ?? 'DRAGONFLY_PASSWORD';
  if (typeof passwordSecret !== 'string' || !VAR.test(passwordSecret)) bad('passwordSecret', 'a variable name', passwordSecret);
  let maxMemory: string | undefined;
  if (o.maxMemory !== undefined) {
    maxMemory = String(o.maxMemory);
    if (!(typeof o.maxMemory === 'number' ? Number.isInteger(o.maxMemory) && o.maxMemory > 0 : MEMORY.test(maxMemory))) {
      bad('maxMemory', "bytes, or a number with k, kb, m, mb, g or gb (e.g. '512mb')", o.maxMemory);
    }
  }
  const envVars = o.envVars ?? ['CELERY_BROKER_URL', 'REDIS_URL'];
  if (!Array.isArray(envVars) || envVars.some((v) => typeof v !== 'string' || !VAR.test(v))) bad('envVars', 'an array of variable names', envVars);
  return { url: o.url, sha256: o.sha256.toLowerCase(), archive, port, bind, bindGiven: o.bind !== undefined, password, passwordSecret, maxMemory, envVars };
}

/** A password goes into a systemd EnvironmentFile and a URL: one line, no control characters. */
export function checkPassword(p: Secret, key: string): void {
  const v = reveal(p);
  if (v === '' || /[\0-\x1f\x7f]/.test(v)) {
    throw errors.options(`dragonfly: ${key} must be a non-empty single line without control characters`, { key });
  }
}

/** The password for this env: the option, else the env's secret (checked like the option), else none. */
export function resolvePassword(o: ResolvedDragonflyOptions, secrets: Record<string, Secret>): Secret | undefined {
  if (o.password === false) return undefined;
  if (o.password) return o.password;
  const s = secrets[o.passwordSecret];
  if (s === undefined) return undefined;
  checkPassword(s, o.passwordSecret);
  return s;
}

/** The address clients on this host connect to: the bind address, or loopback for a wildcard. */
export function clientHost(o: Pick<ResolvedDragonflyOptions, 'bind'>): string {
  if (o.bind === '0.0.0.0' || o.bind === 'localhost') return '127.0.0.1';
  if (o.bind === '::') return '::1';
  return o.bind;
}

/** `redis://[:password@]host:port/0`: a Secret when a password is set. `at`: another host's address (default: this host's bind). */
export function brokerUrl(o: Pick<ResolvedDragonflyOptions, 'bind' | 'port'>, password?: Secret, at?: string): string | Secret {
  const h = at ?? clientHost(o);
  const host = h.includes(':') ? `[${h}]` : h;
  if (!password) return `redis://${host}:${o.port}/0`;
  return secret(`redis://:${encodeURIComponent(reveal(password))}@${host}:${o.port}/0`, 'broker URL');
}
