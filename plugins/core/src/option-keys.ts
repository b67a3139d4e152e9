/**
 * Unknown plugin options are bad input: `app({ wgsi: '…' })` would otherwise pass silently and the app
 * would start without its WSGI module. Every plugin factory checks its keys (and those of its nested
 * option objects) when it is made, so the error comes from the config, before anything connects.
 */
import { errors } from './errors.js';
import { closest } from './inventory/checks.js';

/**
 * Every key of an options type, each once: the compiler refuses a list that misses a key of `O` or
 * names one it does not have, so the runtime list cannot drift from the documented interface.
 */
export type OptionKeyList<O> = { readonly [K in keyof Required<O>]: true };

/**
 * The allowed keys of an options type, checked against the type at compile time.
 * @example const KEYS = optionKeys<GunicornOptions>({ on: true, unit: true, bind: true, … })
 */
export const optionKeys = <O>(keys: OptionKeyList<O>): readonly string[] => Object.freeze(Object.keys(keys));

/**
 * Throws E_OPTIONS for the first key of `options` that `allowed` does not list, naming the plugin, the
 * key (under `path` for a nested object), the closest allowed key and all of them. Anything that is not
 * a plain object is left to the caller's own shape check.
 * @example checkOptionKeys('app', options, APP_KEYS) // app: unknown option "wgsi"; did you mean "wsgi"? allowed: …
 * @example checkOptionKeys('app', options.healthCheck, HEALTH_KEYS, 'healthCheck')
 */
export function checkOptionKeys(plugin: string, options: unknown, allowed: readonly string[], path?: string): void {
  if (!options || typeof options !== 'object' || Array.isArray(options)) return;
  const under = (key: string) => (path ? `${path}.${key}` : key);
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    const allowedText = allowed.length ? allowed.join(', ') : '(none)';
    throw errors.options(`${plugin}: unknown option "${under(key)}"; ${hint ? `did you mean "${under(hint)}"? ` : ''}allowed: ${allowedText}`, { plugin, key: under(key) });
  }
}
