/**
 * The plugin contract (DESIGN §4–5): a plain object with a name, made by a factory with typed options.
 * Plugins add to the site model (`contribute`), then contribute tasks to the `configure` playbook and to
 * the stages of the `deploy` playbook. Order is the order of `plugins` in the config.
 */
import type { ResolvedConfig } from './config.js';
import type { FleetHost, Placement } from './fleet.js';
import type { HostInfo } from './playbook.js';
import type { Secret } from './secret.js';
import type { SiteModel } from './site.js';
import type { Task } from './task.js';

/** A release being deployed: the same id on every host of one run. */
export interface Release {
  /** sortable, e.g. `20261124T061100Z` */
  id: string;
  /** `<app.releases>/<id>` */
  path: string;
}

export interface PluginContext extends HostInfo {
  site: SiteModel;
  config: ResolvedConfig;
  /** the env's secrets (secrets/<env>.env or .env.enc), every value a Secret */
  secrets: Record<string, Secret>;
  /** set by the deploy and rollback playbooks */
  release?: Release;
  /** set by the rollback playbook: the release id asked for with --to */
  rollbackTo?: string;
  /** every host of the env (not only those --limit selected), in inventory order: roles and private addresses */
  fleet: readonly FleetHost[];
  /** the hosts of the env a plugin of this name is placed on (its `on`), in inventory order; [] when none */
  hostsWith(plugin: string): FleetHost[];
}

/**
 * Deploy stages, in order. A deploy runs them stage by stage across every host of the run, with a barrier
 * between stages (DESIGN §9); within a stage, tasks run plugin by plugin in config order.
 * - lock: take the deploy lock · prepare: release dir, code · build: venv, deps, link shared, collectstatic
 * - migrate: once per deploy, on one host (`primary` in the config, else the first host that has such tasks)
 * - switch: `current` → new release · reload: graceful reloads · verify: health check — batch by batch
 *   under --serial; a failed batch switches every switched host back
 * - finish: record the release, prune
 * Until the switch, a failure on any host means no host switches.
 */
export const deployStages = ['lock', 'prepare', 'build', 'migrate', 'switch', 'reload', 'verify', 'finish'] as const;
export type DeployStage = (typeof deployStages)[number];
/** stages whose tasks run on one host per deploy */
export const onceStages: readonly DeployStage[] = ['migrate'];
/** stages that run batch by batch under --serial, a failed batch rolling the fleet back */
export const rollingStages: readonly DeployStage[] = ['switch', 'reload', 'verify'];
export type DeployTasks = Partial<Record<DeployStage, Task[]>>;

/** What a plugin's `prepare` knows: once per run, on the control machine, before any host is planned. */
export interface PrepareContext {
  env: string;
  config: ResolvedConfig;
  secrets: Record<string, Secret>;
  /** which playbook is being prepared */
  playbook: 'configure' | 'deploy' | 'rollback';
  /** the release id of a deploy */
  releaseId?: string;
  /** --check: compute what would change, change nothing (e.g. upload nothing) */
  check?: boolean;
}

export interface Plugin {
  name: string;
  /**
   * This plugin opens a site (`app()` does): it and the plugins after it, up to the next one that opens
   * a site, serve one app and plan from that app's own site model. Several apps on a host are several
   * sites; plugins before the first one belong to the first.
   */
  opensSite?: boolean;
  /**
   * The hosts this plugin runs on: inventory groups (roles), aliases or globs, `!` to exclude.
   * @default every host of the env
   * @example 'web'
   * @example ['worker', 'data']
   */
  on?: Placement;
  /**
   * The same plugin with some options replaced: how inventory vars reach plugin options per host
   * (`vars: { gunicorn: { workers: 5 } }` on a group). Made by `placeable`; a plugin without it takes no
   * options from vars.
   */
  withOptions?(options: Record<string, unknown>): Plugin;
  /** control-machine work before planning (pack a checkout with git archive, build static files);
   * runs once per run, may be async; its results are what the plugin's tasks then carry to the hosts */
  prepare?(ctx: PrepareContext): Promise<void> | void;
  /** adds this plugin's part to the site model of each host it runs on; runs before any tasks are planned */
  contribute?(site: SiteModel, ctx: Omit<PluginContext, 'site'> & { site: SiteModel }): void;
  /**
   * what this plugin offers the hosts it does not run on, in their site model: a broker or database URL
   * at the address of the host serving it (`ctx.hostsWith(name)`). Called only when it runs somewhere.
   */
  offer?(site: SiteModel, ctx: Omit<PluginContext, 'site'> & { site: SiteModel }): void;
  /** provisioning tasks, `run configure` */
  configure?(ctx: PluginContext): Task[];
  /** shipping tasks per stage, `run deploy` */
  deploy?(ctx: PluginContext): DeployTasks;
  /** when a deploy task fails: put the host back as it was (switch back, reload, mark failed) */
  rescueDeploy?(ctx: PluginContext): Task[];
  /** after a deploy, failed or not (release the lock) */
  finallyDeploy?(ctx: PluginContext): Task[];
  /** `run unlock`: tasks that release this plugin's locks whoever holds them, saying whose they were */
  unlock?(ctx: PluginContext): Task[];
  /** `run rollback`: tasks that switch to an earlier release */
  rollback?(ctx: PluginContext): DeployTasks;
  /** handlers the plugin's tasks may notify, e.g. `reload nginx` */
  handlers?(ctx: PluginContext): Record<string, Task>;
}

/** The number of sites (apps) in a config: at least 1. */
export const siteCount = (config: Pick<ResolvedConfig, 'plugins'>): number => Math.max(1, config.plugins.filter((p) => p.opensSite).length);

/**
 * A host-wide name (a systemd unit, a socket, a directory under /etc) for something that serves one app:
 * `base` when the config has one app, so hosts configured before a second app was added keep their
 * names; `base-<app>` when it has several, so two apps on one host do not share it.
 * @example perAppName('gunicorn', ctx) // 'gunicorn', or 'gunicorn-shop' next to another app
 */
export function perAppName(base: string, ctx: { site: SiteModel; config: Pick<ResolvedConfig, 'plugins'> }): string {
  return siteCount(ctx.config) > 1 && ctx.site.app ? `${base}-${ctx.site.app.name}` : base;
}

/** Exists for type inference. Lists in config accept `false`, so `env === 'prod' && tls()` reads naturally. */
export const definePlugin = <P extends Plugin>(plugin: P): P => plugin;

/** A plugin whose hooks K are known to exist: the return type of a factory whose tests call them. */
export type PluginWith<K extends keyof Plugin> = Plugin & Required<Pick<Plugin, K>>;

/** What every plugin factory made with `placeable` accepts besides its own options. */
export interface PlacementOptions {
  /**
   * The hosts the plugin runs on: inventory groups (roles), aliases or globs, `!` to exclude.
   * @default every host of the env
   * @example 'web'
   */
  on?: Placement;
}

/**
 * A plugin that can be placed (`on`) and take per-host options from inventory vars named after it.
 * @example export const memcached = (o: MemcachedOptions = {}) => placeable(memcached, o, definePlugin({ name: 'memcached', … }))
 */
export function placeable<O extends PlacementOptions, P extends Plugin>(factory: (options: O) => P, options: O, plugin: P): P {
  return { ...plugin, on: options.on, withOptions: (more: Record<string, unknown>) => factory({ ...options, ...more } as O) };
}
