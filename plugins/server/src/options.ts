/**
 * The server plugin's options, their defaults and their validation. Validation runs when the plugin
 * is made (in runbook.config.ts), before anything connects: a bad value is an E_OPTIONS error that names
 * the key and what was expected.
 */
import { errors, type PlacementOptions } from '@runbook/core';

/** `on` (inherited) places the plugin on inventory groups or hosts: `server({ on: 'web' })`. */
export interface ServerOptions extends PlacementOptions {
  /**
   * The text of the greeting file (one line).
   * @default 'hello from server'
   * @example 'configured by Runbook'
   */
  greeting?: string;
  /**
   * Directory of the plugin's files on the host (created, mode 0755).
   * @default '/etc/server'
   * @example '/opt/server/etc'
   */
  dir?: string;
}

/** Options with every default applied. */
export interface ResolvedServerOptions {
  greeting: string;
  dir: string;
  /** `<dir>/greeting` */
  file: string;
}

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`server: ${key} must be ${expected}, got ${JSON.stringify(got)}`, { key });
};

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveServerOptions(o: ServerOptions = {}): ResolvedServerOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object', o);
  const greeting = o.greeting ?? 'hello from server';
  if (typeof greeting !== 'string' || greeting === '' || greeting.includes('\n')) bad('greeting', 'a non-empty single-line string', greeting);
  const dir = (o.dir ?? '/etc/server').replace(/(.)\/+$/, '$1');
  if (typeof dir !== 'string' || !dir.startsWith('/') || dir === '/' || dir.includes('\0')) bad('dir', 'an absolute path other than /', o.dir);
  return { greeting, dir, file: `${dir}/greeting` };
}
