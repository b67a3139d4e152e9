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
import {
  deployStages, onceStages, rollingStages, type DeployTasks, type Plugin, type PluginContext, type PrepareContext, type Release,
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

/** A host's part of a run: the plugins that run on it (with its options) and their shared context. */
export interface HostPlan {
  plugins: Plugin[];
  /** the host's instance of a plugin of the config (a copy when its vars set options); none when not placed here */
  of: Map<Plugin, Plugin>;
  context: PluginContext;
}

/**
 * Every host's plugins and plugin context, built once per host. Placement is decided over the whole
 * fleet (not the --limit), so the host that gets celery beat or serves the database does not depend on
 * which hosts a run selected. Without a fleet (a playbook run outside an env) every plugin runs everywhere.
 */
export function hostPlans(ctx: PlaybookContext, releaseId?: string): (host: HostInfo) => HostPlan {
  const fleet = ctx.fleet ?? [];
  const plugins = ctx.config.plugins;
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
    const site = emptySiteModel(host.hostname);
    const context: PluginContext = {
      ...host, site, config: ctx.config, secrets: ctx.secrets ?? {}, fleet, hostsWith,
      rollbackTo: ctx.options?.rollbackTo as string | undefined,
    };
    const of = new Map<Plugin, Plugin>();
    for (const base of plugins) {
      if (here(base, host)) {
        const p = withHostOptions(base, host, copies, plugins.indexOf(base));
        of.set(base, p);
        if (p.contribute) call(p, 'contribute', () => p.contribute!(site, context));
      } else if (base.offer && placed.get(base)?.length) {
        call(base, 'offer', () => base.offer!(site, context));
      }
    }
    if (releaseId && site.app) context.release = { id: releaseId, path: `${site.app.releases}/${releaseId}` } satisfies Release;
    plan = { plugins: [...of.values()], of, context };
    cache.set(host.alias, plan);
    return plan;
  };
}

/** The plugin with the options a var named after it gives this host (`gunicorn: { workers: 5 }` on the web group). */
function withHostOptions(p: Plugin, host: HostInfo, copies: Map<string, Plugin>, index: number): Plugin {
  const own = host.vars[p.name];
  if (!own || typeof own !== 'object' || Array.isArray(own)) return p;
  if (!p.withOptions) throw errors.config(`host ${host.alias}: vars.${p.name} sets options of the ${p.name} plugin, which takes none from vars`, { key: `vars.${p.name}` });
  const key = `${index}:${JSON.stringify(own)}`;
  let copy = copies.get(key);
  if (!copy) {
    try {
      copy = p.withOptions(own as Record<string, unknown>);
    } catch (e) {
      throw errors.config(`host ${host.alias}: vars.${p.name}: ${(e as Error).message}`, { key: `vars.${p.name}` });
    }
    copies.set(key, copy);
  }
  return copy;
}

/** Back-compatible view: a host's plugin context. */
export const pluginContexts = (ctx: PlaybookContext, releaseId?: string): ((host: HostInfo) => PluginContext) => {
  const plans = hostPlans(ctx, releaseId);
  return (host) => plans(host).context;
};

const allHandlers = (plugins: Plugin[], pctx: PluginContext): Record<string, Task> =>
  Object.assign({}, ...plugins.map((p) => (p.handlers ? call(p, 'handlers', () => p.handlers!(pctx)) : {})));

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
  const plans = hostPlans(ctx);
  await prepare(ctx, plans, 'configure');
  return plugins
    .filter((p) => p.configure)
    .map((base) => ({
      name: base.name,
      tags: [base.name],
      tasks: (host: HostInfo) => {
        const { of, context } = plans(host);
        const p = of.get(base);
        return p ? call(p, 'configure', () => p.configure!(context)) : [];
      },
      handlers: (host: HostInfo) => allHandlers(plans(host).plugins, plans(host).context),
    }));
}

async function stagedPhase(name: 'deploy' | 'rollback', ctx: PlaybookContext, releaseId?: string): Promise<Phase> {
  requirePlugins(ctx, name);
  const plans = hostPlans(ctx, releaseId);
  await prepare(ctx, plans, name, releaseId);
  const byHost = new Map<string, DeployTasks[]>();
  const tasksOf = (host: HostInfo): DeployTasks[] => {
    let list = byHost.get(host.alias);
    if (!list) {
      const { plugins, context } = plans(host);
      list = plugins.map((p) => (p[name] ? call(p, name, () => p[name]!(context)) : {}));
      byHost.set(host.alias, list);
    }
    return list;
  };
  const stages: Stage[] = deployStages.map((stage) => ({
    name: stage,
    tasks: (host: HostInfo) => tasksOf(host).flatMap((t) => t[stage] ?? []),
    ...(onceStages.includes(stage) ? { once: ctx.config.primary ?? true } : {}),
    ...(rollingStages.includes(stage) ? { rolling: true } : {}),
  }));
  const hook = (h: 'rescueDeploy' | 'finallyDeploy') => (host: HostInfo) => {
    const { plugins, context } = plans(host);
    return plugins.flatMap((p) => (p[h] ? call(p, h, () => p[h]!(context)) : []));
  };
  return {
    name,
    stages,
    handlers: (host) => allHandlers(plans(host).plugins, plans(host).context),
    rescue: name === 'deploy' ? hook('rescueDeploy') : [],
    always: hook('finallyDeploy'),
  };
}

/** `run deploy`: one fleet transaction, stage by stage across hosts, with the plugins' rescue and finally tasks. */
export const deployPhases = async (ctx: PlaybookContext, releaseId = newReleaseId()): Promise<Phase[]> => [await stagedPhase('deploy', ctx, releaseId)];

/** `run rollback [--to ID]`: the plugins' rollback stages, across the fleet like a deploy. */
export const rollbackPhases = async (ctx: PlaybookContext): Promise<Phase[]> => [await stagedPhase('rollback', ctx)];
