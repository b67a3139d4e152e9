/**
 * Project config, found by cosmiconfig: `runbook.config.ts` (also .js/.mjs, `.runbookrc.{json,yaml,yml}`
 * and `package.json#runbook`). `envs` holds per-env overlays merged over the base for `--env` (vars merge
 * deeply; an overlay's `options` change single plugins' options, env-options.ts).
 */
import { dirname, join, relative, resolve } from 'node:path';
import { checkEnvOptions } from './env-options.js';
import { errors, RunbookError } from './errors.js';
import { mergeVars } from './inventory/merge-vars.js';
import { defaultExport, loadModule } from './load-module.js';
import type { Plugin } from './plugin.js';
import { userCodeError } from './user-code-error.js';

export interface ConfigLayer {
  /** where `<env>.yml` inventories live, relative to the project root @default 'inventories' */
  inventoryDir?: string;
  /** where named playbooks live @default 'playbooks' */
  playbookDir?: string;
  /** the project's known_hosts, where `--host-key accept-new` records keys @default '.runbook/known_hosts' */
  knownHosts?: string;
  /** where the env secret files live: `<env>.env` or `<env>.env.enc` @default 'secrets' */
  secretsDir?: string;
  /**
   * Whether the env has a secrets file. A run of an env without `<env>.env` or `<env>.env.enc` is an
   * error (exit 4) unless this says it has none; `false` with a file present is an error too.
   * @default true
   * @example envs: { ci: { secrets: false } }
   */
  secrets?: boolean;
  /** vars for every host; below env, group and host vars @example { app: 'shop' } */
  vars?: Record<string, unknown>;
  /** enabled plugins, in order; `false` entries are dropped @example [nginx(), env === 'prod' && tls()] */
  plugins?: (Plugin | false | null | undefined)[];
  /**
   * The host that runs the once-per-deploy steps (migrations): the first host of the run this names
   * (a group, alias or glob) that has them, like Capistrano's `primary: true`.
   * @default the first host of the run that has them
   * @example 'web'
   */
  primary?: string;
}

/** An env's overlay: any layer key, and options of single plugins. */
export interface EnvLayer extends ConfigLayer {
  /**
   * Options of single plugins for this env, by plugin name, without repeating the plugin list: merged
   * over the options of the plugin's call in `plugins`, below inventory group and host vars named after
   * the plugin (env-options.ts). A name that is no plugin of the env, or an option it does not take, is
   * exit 4.
   * @example { gunicorn: { workers: 5 }, nginx: { serverName: 'shop.example' } }
   */
  options?: Record<string, Record<string, unknown>>;
}

export interface RunbookConfig extends ConfigLayer {
  /** per-env overlays, merged over the base for `--env` @example { prod: { vars: { workers: 9 }, options: { gunicorn: { workers: 5 } } } } */
  envs?: Record<string, EnvLayer>;
}

export interface ResolvedConfig {
  root: string;
  /** the config file, when one was found */
  file?: string;
  inventoryDir: string;
  playbookDir: string;
  knownHosts: string;
  secretsDir: string;
  /** false: the env has no secrets file (config `secrets: false`) @default true */
  secrets?: boolean;
  vars: Record<string, unknown>;
  plugins: Plugin[];
  primary?: string;
}

/** Exists for type inference in `runbook.config.ts`. */
export const defineConfig = (config: RunbookConfig): RunbookConfig => config;

const layerKeys = ['inventoryDir', 'playbookDir', 'knownHosts', 'secretsDir', 'secrets', 'vars', 'plugins', 'primary'];
const searchPlaces = [
  'package.json', '.runbookrc.json', '.runbookrc.yaml', '.runbookrc.yml',
  'runbook.config.ts', 'runbook.config.mts', 'runbook.config.js', 'runbook.config.mjs',
];

function validateLayer(layer: unknown, file: string, prefix: string, allowEnvs: boolean): ConfigLayer {
  if (!layer || typeof layer !== 'object' || Array.isArray(layer)) {
    throw errors.config(`expected an object${prefix ? ` at ${prefix}` : ''}`, { file, key: prefix || undefined });
  }
  const allowed = allowEnvs ? [...layerKeys, 'envs'] : [...layerKeys, 'options'];
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (key === 'options' && allowEnvs) {
      throw errors.config('options belongs in an env overlay (envs.<env>.options); give the base options in the plugin\'s call in plugins', { file, key: path });
    }
    if (!allowed.includes(key)) throw errors.config(`unknown key "${key}"; allowed: ${allowed.join(', ')}`, { file, key: path });
    if (['inventoryDir', 'playbookDir', 'knownHosts', 'secretsDir'].includes(key) && typeof value !== 'string') {
      throw errors.config(`expected a path string, got ${JSON.stringify(value)}`, { file, key: path });
    }
    if (key === 'primary' && (typeof value !== 'string' || !value.trim())) {
      throw errors.config(`expected a host, group or glob, got ${JSON.stringify(value)}`, { file, key: path });
    }
    if (key === 'secrets' && typeof value !== 'boolean') {
      throw errors.config(`expected true or false (false: this env has no secrets file), got ${JSON.stringify(value)}`, { file, key: path });
    }
    if ((key === 'vars' || key === 'envs') && (!value || typeof value !== 'object' || Array.isArray(value))) {
      throw errors.config(`expected an object, got ${JSON.stringify(value)}`, { file, key: path });
    }
    if (key === 'plugins') {
      if (!Array.isArray(value)) throw errors.config('expected a list of plugins', { file, key: path });
      value.forEach((p, i) => {
        if (p && (typeof p !== 'object' || typeof (p as Plugin).name !== 'string')) {
          throw errors.config('expected a plugin object (made by a plugin factory) or false', { file, key: `${path}[${i}]` });
        }
      });
    }
  }
  return layer as ConfigLayer;
}

/** Finds and loads the config from `cwd` upwards; no config file means defaults rooted at `cwd`. */
export async function loadConfig(opts: { cwd: string; env: string; file?: string }): Promise<ResolvedConfig> {
  const { cosmiconfig } = await import('cosmiconfig');
  // a config whose top level throws (a plugin's bad options, a missing env var) is exit 4 naming its line
  const load = async (file: string) => {
    try {
      return defaultExport(await loadModule(file));
    } catch (e) {
      throw userCodeError(e, 'E_CONFIG', 'cannot load config', { file }) ?? e;
    }
  };
  const explorer = cosmiconfig('runbook', {
    searchPlaces,
    searchStrategy: 'project',
    loaders: {
      '.ts': load,
      '.mts': load,
      '.js': load,
      '.mjs': load,
    },
  });
  let found: { config: unknown; filepath: string } | null;
  try {
    found = opts.file ? await explorer.load(resolve(opts.cwd, opts.file)) : await explorer.search(opts.cwd);
  } catch (e) {
    if (e instanceof RunbookError && e.isBadInput) throw e;
    // cosmiconfig's own loaders (JSON, YAML) say which file
    const file = (e as { filepath?: string }).filepath ?? opts.file;
    throw errors.config(`cannot load config: ${(e as Error).message}`, { file: file && (relative(opts.cwd, file) || file) });
  }
  const root = found ? dirname(found.filepath) : opts.cwd;
  const file = found ? relative(opts.cwd, found.filepath) || found.filepath : undefined;
  const base = found ? (validateLayer(found.config, file!, '', true) as RunbookConfig) : {};
  const overlay: EnvLayer = base.envs?.[opts.env] ? validateLayer(base.envs[opts.env], file!, `envs.${opts.env}`, false) : {};
  const { options, ...overlayLayer } = overlay;
  const plugins = (overlayLayer.plugins ?? base.plugins ?? []).filter((p): p is Plugin => Boolean(p));
  // an overlay's plugin options are config vars named after the plugin: the path inventory vars take to withOptions
  const envOptions = options === undefined ? {} : checkEnvOptions(options, plugins, { file, key: `envs.${opts.env}.options` });
  const merged: ConfigLayer = { ...base, ...overlayLayer, vars: mergeVars(base.vars, overlayLayer.vars, envOptions) };
  return {
    root,
    file: found?.filepath,
    inventoryDir: resolve(root, merged.inventoryDir ?? 'inventories'),
    playbookDir: resolve(root, merged.playbookDir ?? 'playbooks'),
    knownHosts: resolve(root, merged.knownHosts ?? join('.runbook', 'known_hosts')),
    secretsDir: resolve(root, merged.secretsDir ?? 'secrets'),
    secrets: merged.secrets ?? true,
    vars: merged.vars ?? {},
    plugins,
    ...(merged.primary ? { primary: merged.primary } : {}),
  };
}
