/**
 * The configure, deploy and rollback playbooks are made from the config's plugins. Each host runs the
 * plugins placed on it (`on`), with the options its inventory vars give them; its site model is built
 * once (`contribute` of its plugins, `offer` of those placed elsewhere, in config order) before any
 * task is planned. Deploy and rollback are fleet transactions: stage by stage across every host.
 */
import { randomBytes } from 'node:crypto';
import { errors } from './errors.js';
import { placedHosts, type FleetHost } from './fleet.js';
import type { HostInfo, Phase, PlaybookContext, Stage } from './playbook.js';
import type { Sourced } from './inventory/where.js';
import {
  deployStages, onceStages, rollingStages, siteCount, type DeployTasks, type Plugin, type PluginContext, type PrepareContext, type Release,
} from './plugin.js';
import { emptySiteModel } from './site.js';
import type { Task } from './task.js';

/**
 * A release id that sorts by time and is unique per run: `20261124T061100Z-3f9a1c`. The suffix matters:
 * two deploys started in the same second must not share an id, or the loser could release the winner's lock.
 */
export const newReleaseId = (now = new Date(), suffix = randomBytes(3).toString('hex')): string =>
  `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${suffix}`;

function wrap(plugin: Plugin, hook: string, e: unknown): Error {
  if (e instanceof Error) {
    e.message = `[${plugin.name}.${hook}] ${e.message}`;
    return e;
  }
  return errors.config(`[${plugin.name}.${hook}] ${String(e)}`);
}

const call = <T>(plugin: Plugin, hook: string, fn: () => T): T => {
  try {
    return fn();
  } catch (e) {
    throw wrap(plugin, hook, e);
  }
};

/** One app's part of a host: the plugins that serve it and their context, with the app's own site model. */
export interface SitePlan {
  plugins: Plugin[];
  context: PluginContext;
}

/** A host's part of a run: the plugins that run on it (with its options) and their contexts. */
export interface HostPlan {
  plugins: Plugin[];
  /** the host's instance of a plugin of the config (a copy when its vars set options); none when not placed here */
  of: Map<Plugin, Plugin>;
  /** the first site's context: the only one of a config with one app */
  context: PluginContext;
  /** a site per app of the config, in config order (every one, placed here or not) */
  sites: SitePlan[];
  /** the context of the site a plugin (the host's instance) serves */
  contextOf(p: Plugin): PluginContext;
}

/**
 * The site of each plugin of the config: a plugin that opens a site (`app()`) starts the next one;
 * plugins before the first opener belong to the first site.
 */
export function siteIndexes(plugins: readonly Plugin[]): number[] {
  let index = -1;
  return plugins.map((p) => (p.opensSite ? ++index : Math.max(index, 0)));
}

/** Two sites of a host that use the same host-wide name (unit, socket, server block …): a config error naming both. */
function checkClaims(sites: SitePlan[], host: HostInfo, file?: string): void {
  const seen = new Map<string, { site: number; by: string }>();
  sites.forEach(({ context }, i) => {
    for (const c of context.site.claims) {
      const other = seen.get(c.name);
      if (other && other.site !== i) {
        const app = (n: number) => sites[n].context.site.app?.name ?? `site ${n + 1}`;
        throw errors.config(
          `host ${host.alias}: the apps "${app(other.site)}" and "${app(i)}" both use ${c.name} (${other.by} of "${app(other.site)}", ${c.by} of "${app(i)}"): ` +
            'give one of them another name in its options',
          { file, key: 'plugins' },
        );
      }
      seen.set(c.name, { site: i, by: c.by });
    }
  });
}

/**
 * Every host's plugins and plugin contexts, built once per host: a site model per app of the config,
 * each built from the plugins of its site. Placement is decided over the whole fleet (not the --limit),
 * so the host that gets celery beat or serves the database does not depend on which hosts a run
 * selected. Without a fleet (a playbook run outside an env) every plugin runs everywhere.
 */
export function hostPlans(ctx: PlaybookContext, releaseId?: string): (host: HostInfo) => HostPlan {
  const fleet = ctx.fleet ?? [];
  const plugins = ctx.config.plugins;
  const siteOf = siteIndexes(plugins);
  const placed = new Map(plugins.map((p) => [p, fleet.length ? call(p, 'on', () => placedHosts(fleet, p.on, p.name)) : undefined]));
  const here = (p: Plugin, host: HostInfo) => placed.get(p)?.some((h) => h.alias === host.alias) ?? true;
  const hostsWith = (name: string): FleetHost[] => {
    const p = plugins.find((x) => x.name === name);
    return p ? (placed.get(p) ?? [...fleet]) : [];
  };
  const copies = new Map<string, Plugin>();
  const cache = new Map<string, HostPlan>();
  return (host) => {
    let plan = cache.get(host.alias);
    if (plan) return plan;
    const sites: SitePlan[] = Array.from({ length: siteCount(ctx.config) }, () => ({
      plugins: [],
      context: {
        ...host, site: emptySiteModel(host.hostname), config: ctx.config, secrets: ctx.secrets ?? {}, fleet, hostsWith,
        rollbackTo: ctx.options?.rollbackTo as string | undefined,
      },
    }));
    const of = new Map<Plugin, Plugin>();
    const contexts = new Map<Plugin, PluginContext>();
    plugins.forEach((base, i) => {
      const { plugins: own, context } = sites[siteOf[i]];
      if (here(base, host)) {
        const p = withHostOptions(base, host, copies, i);
        of.set(base, p);
        own.push(p);
        contexts.set(p, context);
        if (p.contribute) call(p, 'contribute', () => p.contribute!(context.site, context));
      } else if (base.offer && placed.get(base)?.length) {
        call(base, 'offer', () => base.offer!(context.site, context));
      }
    });
    for (const { context } of sites) {
      const app = context.site.app;
      if (releaseId && app) context.release = { id: releaseId, path: `${app.releases}/${releaseId}` } satisfies Release;
    }
    if (sites.length > 1) checkClaims(sites, host, ctx.config.file);
    plan = {
      plugins: [...of.values()], of, context: sites[0].context, sites,
      contextOf: (p) => contexts.get(p) ?? sites[0].context,
    };
    cache.set(host.alias, plan);
    return plan;
  };
}

/** The plugin with the options a var named after it gives this host (`gunicorn: { workers: 5 }` on the web group). */
function withHostOptions(p: Plugin, host: HostInfo, copies: Map<string, Plugin>, index: number): Plugin {
  const own = host.vars[p.name];
  if (!own || typeof own !== 'object' || Array.isArray(own)) return p;
  const from = host.varsFrom?.[p.name] ?? [];
  if (!p.withOptions) {
    const at = from.at(-1)?.at;
    throw errors.config(`host ${host.alias}: vars.${p.name} sets options of the ${p.name} plugin, which takes none from vars`, at ?? { key: `vars.${p.name}` });
  }
  const key = `${index}:${JSON.stringify(own)}`;
  let copy = copies.get(key);
  if (!copy) {
    try {
      copy = p.withOptions(own as Record<string, unknown>);
    } catch (e) {
      throw varsError(p, host, from, e as Error);
    }
    copies.set(key, copy);
  }
  return copy;
}

/** The options error of a plugin var, at the inventory line that causes it: the first place whose value alone fails. */
function varsError(p: Plugin, host: HostInfo, from: readonly Sourced<unknown>[], merged: Error): Error {
  for (const { value, at } of from) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    try {
      p.withOptions!(value as Record<string, unknown>);
    } catch (e) {
      return errors.config(`host ${host.alias}: ${(e as Error).message}`, at);
    }
  }
  const at = from.at(-1)?.at;
  return errors.config(`host ${host.alias}: vars.${p.name}: ${merged.message}`, at ?? { key: `vars.${p.name}` });
}

/** Back-compatible view: a host's plugin context. */
export const pluginContexts = (ctx: PlaybookContext, releaseId?: string): ((host: HostInfo) => PluginContext) => {
  const plans = hostPlans(ctx, releaseId);
  return (host) => plans(host).context;
};

const allHandlers = (plugins: Plugin[], pctx: PluginContext): Record<string, Task> =>
  Object.assign({}, ...plugins.map((p) => (p.handlers ? call(p, 'handlers', () => p.handlers!(pctx)) : {})));

/** Every handler of the host's plugins, each from its own site; on a name two sites share, `own` site's wins. */
const handlersFor = (plan: HostPlan, own?: SitePlan): Record<string, Task> =>
  Object.assign({}, ...[...plan.sites.filter((s) => s !== own), ...(own ? [own] : [])].map((s) => allHandlers(s.plugins, s.context)));

/** A site's tasks carry its app's name as a tag: `run deploy --tags shop` deploys one app of several. */
const tagApp = (tasks: Task[], ctx: PluginContext): Task[] => {
  const name = ctx.site.app?.name;
  return name ? tasks.map((t) => (t.tags.includes(name) ? t : { ...t, tags: [...t.tags, name] })) : tasks;
};

function requirePlugins(ctx: PlaybookContext, what: string): Plugin[] {
  if (ctx.config.plugins.length === 0) {
    throw errors.config(`the ${what} playbook runs the config's plugins, but none are enabled: add them to plugins in runbook.config.ts`, { file: ctx.config.file, key: 'plugins' });
  }
  return ctx.config.plugins;
}

/**
 * Runs `prepare` once per run for every plugin instance the run's hosts use (config order; a copy made
 * by per-host options prepares for itself), before any task is planned.
 */
async function prepare(ctx: PlaybookContext, plans: (host: HostInfo) => HostPlan, playbook: PrepareContext['playbook'], releaseId?: string): Promise<void> {
  const used = new Set(ctx.hosts?.length ? ctx.hosts.flatMap((h) => plans(h).plugins) : ctx.config.plugins);
  for (const p of used) {
    if (!p.prepare) continue;
    try {
      await p.prepare({ env: ctx.env, config: ctx.config, secrets: ctx.secrets ?? {}, playbook, releaseId, check: Boolean(ctx.check) });
    } catch (e) {
      throw wrap(p, 'prepare', e);
    }
  }
}

/** `run configure`: a phase per plugin, in config order; a host runs the phases of the plugins placed on it. */
export async function configurePhases(ctx: PlaybookContext): Promise<Phase[]> {
  const plugins = requirePlugins(ctx, 'configure');
  const siteOf = siteIndexes(plugins);
  const plans = hostPlans(ctx);
  await prepare(ctx, plans, 'configure');
  return plugins
    .map((base, i) => ({ base, site: siteOf[i] }))
    .filter(({ base }) => base.configure)
    .map(({ base, site }) => ({
      name: base.name,
      tags: [base.name],
      tasks: (host: HostInfo) => {
        const plan = plans(host);
        const p = plan.of.get(base);
        if (!p) return [];
        const context = plan.contextOf(p);
        return tagApp(call(p, 'configure', () => p.configure!(context)), context);
      },
      handlers: (host: HostInfo) => handlersFor(plans(host), plans(host).sites[site]),
    }));
}

async function stagedPhase(name: 'deploy' | 'rollback', ctx: PlaybookContext, releaseId?: string): Promise<Phase> {
  requirePlugins(ctx, name);
  const plans = hostPlans(ctx, releaseId);
  await prepare(ctx, plans, name, releaseId);
  // per host: each plugin's stages, with the site it serves
  const byHost = new Map<string, { site: number; tasks: DeployTasks }[]>();
  const tasksOf = (host: HostInfo) => {
    let list = byHost.get(host.alias);
    if (!list) {
      list = plans(host).sites.flatMap(({ plugins, context }, site) =>
        plugins.map((p) => {
          const own = p[name] ? call(p, name, () => p[name]!(context)) : {};
          return { site, tasks: Object.fromEntries(Object.entries(own).map(([stage, tasks]) => [stage, tagApp(tasks ?? [], context)])) as DeployTasks };
        }));
      byHost.set(host.alias, list);
    }
    return list;
  };
  const sites = siteCount(ctx.config);
  const appName = (site: number): string =>
    (ctx.hosts ?? []).map((h) => plans(h).sites[site].context.site.app?.name).find(Boolean) ?? `site ${site + 1}`;
  // a once-stage (migrate) runs once per app: on a host of that app, which need not be another app's
  const stages: Stage[] = deployStages.flatMap((stage) => {
    const once = onceStages.includes(stage);
    const each: (number | undefined)[] = once && sites > 1 ? Array.from({ length: sites }, (_, i) => i) : [undefined];
    return each.map((site) => ({
      name: site === undefined ? stage : `${stage} ${appName(site)}`,
      tasks: (host: HostInfo) => tasksOf(host).filter((t) => site === undefined || t.site === site).flatMap((t) => t.tasks[stage] ?? []),
      ...(once ? { once: ctx.config.primary ?? true } : {}),
      ...(rollingStages.includes(stage) ? { rolling: true } : {}),
    }));
  });
  const hook = (h: 'rescueDeploy' | 'finallyDeploy') => (host: HostInfo) => {
    const plan = plans(host);
    return plan.plugins.flatMap((p) => (p[h] ? call(p, h, () => p[h]!(plan.contextOf(p))) : []));
  };
  return {
    name,
    stages,
    handlers: (host) => handlersFor(plans(host)),
    rescue: name === 'deploy' ? hook('rescueDeploy') : [],
    always: hook('finallyDeploy'),
  };
}

/** `run deploy`: one fleet transaction, stage by stage across hosts, with the plugins' rescue and finally tasks. */
export const deployPhases = async (ctx: PlaybookContext, releaseId = newReleaseId()): Promise<Phase[]> => [await stagedPhase('deploy', ctx, releaseId)];

/** `run rollback [--to ID]`: the plugins' rollback stages, across the fleet like a deploy. */
export const rollbackPhases = async (ctx: PlaybookContext): Promise<Phase[]> => [await stagedPhase('rollback', ctx)];

/**
 * `run unlock`: every plugin's `unlock` tasks (the app's deploy lock, whoever holds it), host by host;
 * each says whose lock it released. For a run that was killed or lost its hosts before it could.
 */
export async function unlockPhases(ctx: PlaybookContext): Promise<Phase[]> {
  requirePlugins(ctx, 'unlock');
  const plans = hostPlans(ctx);
  return [{
    name: 'unlock',
    tasks: (host: HostInfo) => {
      const plan = plans(host);
      return plan.plugins.flatMap((p) => (p.unlock ? tagApp(call(p, 'unlock', () => p.unlock!(plan.contextOf(p))), plan.contextOf(p)) : []));
    },
  }];
}
