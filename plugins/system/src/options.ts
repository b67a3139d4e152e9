/**
 * Option checks shared by the primitives. Each throws an E_OPTIONS error that names the key, what was
 * expected and what was given; `defineTask` prefixes the task type (`file.content: mode: …`).
 */
import { errors, isSecret, RunbookError } from '@runbook/core';

const shown = (v: unknown): string => (isSecret(v) ? 'a secret' : JSON.stringify(v) ?? String(v));

export function fail(key: string, expected: string, got: unknown): never {
  throw errors.options(`${key}: expected ${expected}, got ${shown(got)}`, { key });
}

export function requireString(key: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') fail(key, 'a non-empty string', v);
  return v;
}

export function optionalString(key: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(key, 'a string', v);
  return v;
}

export function optionalBoolean(key: string, v: unknown): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') fail(key, 'true or false', v);
  return v as boolean | undefined;
}

/** An absolute path without NUL bytes; `/` itself only where `allowRoot`. */
export function absolutePath(key: string, v: unknown, allowRoot = false): string {
  if (typeof v !== 'string' || !v.startsWith('/') || v.includes('\0')) fail(key, 'an absolute path', v);
  const normal = v.replace(/\/+$/, '');
  if (!allowRoot && normal === '') fail(key, 'an absolute path other than /', v);
  return v;
}

export function oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) fail(key, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  return v as T;
}

/** Octal mode as 4 digits: `'644'`, `'0644'` and `0o644` all become `'0644'`. */
export function normalizeMode(key: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v.toString(8).padStart(4, '0');
  if (typeof v === 'string' && /^[0-7]{3,4}$/.test(v)) return v.padStart(4, '0');
  return fail(key, "an octal mode like '0644' or 0o644", v);
}

/** A user or group name as shadow's tools accept it (or a numeric id). */
export function accountName(key: string, v: unknown): string {
  if (typeof v !== 'string' || !/^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?|\d+)$/.test(v)) {
    fail(key, 'a user/group name (letters, digits, _ . -; not starting with - or a digit) or a numeric id', v);
  }
  return v;
}

export function optionalAccount(key: string, v: unknown): string | undefined {
  return v === undefined ? undefined : accountName(key, v);
}

export function optionalId(key: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 31) fail(key, 'a non-negative integer id', v);
  return v;
}

export function requireObject(name: string, v: unknown): void {
  if (!v || typeof v !== 'object') throw errors.options(`${name}: options must be an object`);
}

/** The checks above, for a plugin's factory: the same checks, messages led by the plugin's name. */
export interface OptionChecks {
  fail: typeof fail;
  requireString: typeof requireString;
  optionalString: typeof optionalString;
  optionalBoolean: typeof optionalBoolean;
  absolutePath: typeof absolutePath;
  oneOf: typeof oneOf;
  normalizeMode: typeof normalizeMode;
  accountName: typeof accountName;
  optionalAccount: typeof optionalAccount;
  optionalId: typeof optionalId;
}

/**
 * The primitives' option checks for a plugin's factory: each throws E_OPTIONS with the key and what was
 * expected and given (a secret shows as `a secret`), its message led by `plugin` (a task's are led by
 * the task type instead). Keys may be paths: `programs.web.dir`.
 * @example const check = optionChecks('memcached'); const dir = check.absolutePath('dir', o.dir ?? '/etc/memcached');
 * // memcached: dir: expected an absolute path, got "etc"
 */
export function optionChecks(plugin: string): OptionChecks {
  const wrap = <A extends unknown[], R>(check: (...args: A) => R) => (...args: A): R => {
    try {
      return check(...args);
    } catch (e) {
      if (e instanceof RunbookError && e.code === 'E_OPTIONS') throw errors.options(`${plugin}: ${e.message}`, { ...e.details, plugin });
      throw e;
    }
  };
  return {
    fail: wrap(fail), requireString: wrap(requireString), optionalString: wrap(optionalString), optionalBoolean: wrap(optionalBoolean),
    absolutePath: wrap(absolutePath), oneOf: wrap(oneOf) as typeof oneOf, normalizeMode: wrap(normalizeMode), accountName: wrap(accountName),
    optionalAccount: wrap(optionalAccount), optionalId: wrap(optionalId),
  };
}
