/**
 * An env overlay's `options`: one plugin's options changed for one env without repeating the plugin
 * list (`envs: { prod: { options: { gunicorn: { workers: 5 } } } }`). They travel the path inventory
 * vars named after a plugin already take (`Plugin.withOptions`, per host in plugin-playbooks.ts): the
 * overlay's options become config vars under the plugin's name, so one precedence rule holds —
 * the plugin's defaults < its call in `plugins` < config `vars` < the env overlay < inventory, group
 * and host vars < `-e`. They are checked here, when the config loads, so a typo is exit 4 naming the
 * config file and `envs.prod.options.gunicorn.wrokers` before any inventory is read.
 */
import { errors, RunbookError } from './errors.js';
import { closest } from './inventory/checks.js';
import type { Plugin } from './plugin.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks an overlay's `options` against the env's plugins: every name must be a plugin of the config
 * that takes options (`placeable`), and the options must be ones its factory accepts. Returns them as
 * vars (plugin name → options) to merge over the config's own vars.
 * @example checkEnvOptions({ gunicorn: { workers: 5 } }, plugins, { file: 'runbook.config.ts', key: 'envs.prod.options' })
 */
export function checkEnvOptions(
  options: unknown,
  plugins: readonly Plugin[],
  at: { file?: string; key: string },
): Record<string, Record<string, unknown>> {
  if (!isPlainObject(options)) {
    throw errors.config(`expected an object of plugin name → options, e.g. { gunicorn: { workers: 5 } }; got ${JSON.stringify(options)}`, at);
  }
  const names = [...new Set(plugins.map((p) => p.name))];
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(options)) {
    const key = `${at.key}.${name}`;
    const plugin = plugins.find((p) => p.name === name);
    if (!plugin) {
      const hint = closest(name, names);
      throw errors.config(
        `"${name}" is no plugin of this env's config; ${hint ? `did you mean "${hint}"? ` : ''}plugins: ${names.join(', ') || '(none)'}`,
        { file: at.file, key },
      );
    }
    if (!isPlainObject(value)) throw errors.config(`expected the ${name} plugin's options as an object, got ${JSON.stringify(value)}`, { file: at.file, key });
    if (!plugin.withOptions) throw errors.config(`the ${name} plugin takes no options from the env (it is not made with placeable)`, { file: at.file, key });
    try {
      plugin.withOptions(value);
    } catch (e) {
      // the factory's own check (checkOptionKeys: did-you-mean, allowed keys), re-keyed to where the config says it
      const inner = e instanceof RunbookError ? e.details.key : undefined;
      throw errors.config(`${(e as Error).message}`, { file: at.file, key: inner ? `${key}.${inner}` : key });
    }
    out[name] = value;
  }
  return out;
}
