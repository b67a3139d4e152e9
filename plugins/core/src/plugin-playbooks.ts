/**
 * The configure, deploy and rollback playbooks are made from the config's plugins. Each host's site
 * model is built once (every plugin's `contribute`, in config order) before any task is planned.
 */
import { randomBytes } from 'node:crypto';
import { errors } from './errors.js';
import type { HostInfo, Phase, PlaybookContext } from './playbook.js';
import { deployStages, type DeployTasks, type Plugin, type PluginContext, type PrepareContext, type Release } from './plugin.js';
import { emptySiteModel } from './site.js';
import type { Task } from './task.js';

/**
 * A release id that sorts by time and is unique per run: `20261124T061100Z-3f9a1c`. The suffix matters:
 * two deploys started in the same second must not share an id, or the loser could release the winner's lock.
 */
export const newReleaseId = (now = new Date(), suffix = randomBytes(3).toString('hex')): string =>
  `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${suffix}`;

export function pluginContexts(ctx: PlaybookContext, releaseId?: string): (host: HostInfo) => PluginContext {
  const cache = new Map<string, PluginContext>();
  return (host) => {
    let pctx = cache.get(host.alias);
    if (!pctx) {
      const site = emptySiteModel(host.hostname);
      pctx = {
        ...host, site, config: ctx.config, secrets: ctx.secrets ?? {},
        rollbackTo: ctx.options?.rollbackTo as string | undefined,
      };
      for (const plugin of ctx.config.plugins) {
        try {
          plugin.contribute?.(site, pctx);
        } catch (e) {
          throw wrap(plugin, 'contribute', e);
        }
      }
      if (releaseId && site.app) pctx.release = { id: releaseId, path: `${site.app.releases}/${releaseId}` } satisfies Release;
      cache.set(host.alias, pctx);
    }
    return pctx;
  };
}

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

const allHandlers = (plugins: Plugin[], pctx: PluginContext): Record<string, Task> =>
  Object.assign({}, ...plugins.map((p) => (p.handlers ? call(p, 'handlers', () => p.handlers!(pctx)) : {})));

function requirePlugins(ctx: PlaybookContext, what: string): Plugin[] {
  if (ctx.config.plugins.length === 0) {
    throw errors.config(`the ${what} playbook runs the config's plugins, but none are enabled: add them to plugins in runbook.config.ts`, { file: ctx.config.file, key: 'plugins' });
  }
  return ctx.config.plugins;
}

/** Runs every plugin's `prepare`, in config order, once per run. */
async function prepare(plugins: Plugin[], ctx: PlaybookContext, playbook: PrepareContext['playbook'], releaseId?: string): Promise<void> {
  for (const p of plugins) {
    if (!p.prepare) continue;
    try {
      await p.prepare({ env: ctx.env, config: ctx.config, secrets: ctx.secrets ?? {}, playbook, releaseId, check: Boolean(ctx.check) });
    } catch (e) {
      throw wrap(p, 'prepare', e);
    }
  }
}

/** `run configure`: a phase per plugin, in config order. */
export async function configurePhases(ctx: PlaybookContext): Promise<Phase[]> {
  const plugins = requirePlugins(ctx, 'configure');
  await prepare(plugins, ctx, 'configure');
  const context = pluginContexts(ctx);
  return plugins
    .filter((p) => p.configure)
    .map((p) => ({
      name: p.name,
      tags: [p.name],
      tasks: (host: HostInfo) => call(p, 'configure', () => p.configure!(context(host))),
      handlers: (host: HostInfo) => allHandlers(plugins, context(host)),
    }));
}

async function stagedPhase(name: 'deploy' | 'rollback', ctx: PlaybookContext, hook: 'deploy' | 'rollback', releaseId?: string): Promise<Phase> {
  const plugins = requirePlugins(ctx, name);
  await prepare(plugins, ctx, name, releaseId);
  const context = pluginContexts(ctx, releaseId);
  return {
    name,
    tasks: (host) => {
      const pctx = context(host);
      const byPlugin: DeployTasks[] = plugins.map((p) => (p[hook] ? call(p, hook, () => p[hook]!(pctx)) : {}));
      return deployStages.flatMap((stage) => byPlugin.flatMap((tasks) => tasks[stage] ?? []));
    },
    handlers: (host) => allHandlers(plugins, context(host)),
    rescue: (host) => plugins.flatMap((p) => (hook === 'deploy' && p.rescueDeploy ? call(p, 'rescueDeploy', () => p.rescueDeploy!(context(host))) : [])),
    always: (host) => plugins.flatMap((p) => (p.finallyDeploy ? call(p, 'finallyDeploy', () => p.finallyDeploy!(context(host))) : [])),
  };
}

/** `run deploy`: one phase, stage by stage across plugins, with the plugins' rescue and finally tasks. */
export const deployPhases = async (ctx: PlaybookContext, releaseId = newReleaseId()): Promise<Phase[]> => [await stagedPhase('deploy', ctx, 'deploy', releaseId)];

/** `run rollback [--to ID]`: the plugins' rollback stages. */
export const rollbackPhases = async (ctx: PlaybookContext): Promise<Phase[]> => [await stagedPhase('rollback', ctx, 'rollback')];
