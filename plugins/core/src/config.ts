/**
 * Project config, found by cosmiconfig: `runbook.config.ts` (also .js/.mjs, `.runbookrc.{json,yaml,yml}`
 * and `package.json#runbook`). `envs` holds per-env overlays merged over the base for `--env`.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { errors, RunbookError } from './errors.js';
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

export interface RunbookConfig extends ConfigLayer {
  /** per-env overlays, merged over the base for `--env` @example { prod: { vars: { workers: 9 } } } */
  envs?: Record<string, ConfigLayer>;
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
  const allowed = allowEnvs ? [...layerKeys, 'envs'] : layerKeys;
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix ? `${prefix}.${key}` : key;
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
  const overlay = base.envs?.[opts.env] ? validateLayer(base.envs[opts.env], file!, `envs.${opts.env}`, false) : {};
  const merged: ConfigLayer = { ...base, ...overlay, vars: { ...base.vars, ...overlay.vars } };
  return {
    root,
    file: found?.filepath,
    inventoryDir: resolve(root, merged.inventoryDir ?? 'inventories'),
    playbookDir: resolve(root, merged.playbookDir ?? 'playbooks'),
    knownHosts: resolve(root, merged.knownHosts ?? join('.runbook', 'known_hosts')),
    secretsDir: resolve(root, merged.secretsDir ?? 'secrets'),
    secrets: merged.secrets ?? true,
    vars: merged.vars ?? {},
    plugins: (merged.plugins ?? []).filter((p): p is Plugin => Boolean(p)),
    ...(merged.primary ? { primary: merged.primary } : {}),
  };
}
