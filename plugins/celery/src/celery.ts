/**
 * `celery(options)`: the app's celery worker (and optionally beat) under systemd, with the app's `.env`
 * and the broker from the site model; a deploy restarts them after the switch, letting running tasks
 * finish (warm shutdown). Beat runs on one host of the env.
 */
import { checkOptionKeys, claim, definePlugin, optionKeys, placeable, errors, requireApp, type Plugin, type PluginContext, type SiteModel, type PlacementOptions } from '@runbook/core';
import { beatHostOf, runsBeat } from './beat-host.js';
import { celeryAppOf, resolveCeleryOptions, type CeleryOptions } from './celery-options.js';
import { celeryBeat, celeryBeatAbsent, celeryHandlers, celeryPackages, celeryRestart, celeryStart, celeryUnits, celeryWorker } from './celery-tasks.js';

export interface CeleryPluginOptions extends CeleryOptions, PlacementOptions {
  /**
   * Debian packages installed first; `[]` when the app's venv brings its own celery.
   * @default ['python3-celery', 'python3-redis']
   * @example []
   */
  packages?: string[];
}

const KEYS = optionKeys<CeleryPluginOptions>({
  on: true, packages: true, app: true, unit: true, broker: true, concurrency: true, queues: true, logLevel: true, nodeName: true,
  stopTimeout: true, beat: true, gossip: true, extraArgs: true,
});

/**
 * @example
 * plugins: [app({ … }), dragonfly(), celery({ concurrency: 4, beat: true })]
 * @example
 * celery({ app: 'demo_flask.tasks:celery', queues: ['webhooks'], broker: 'redis://127.0.0.1:6379/0' })
 * @example
 * celery({ on: 'worker', beat: { on: 'worker-2' } })
 */
export function celery(options: CeleryPluginOptions = {}): Plugin {
  checkOptionKeys('celery', options, KEYS);
  const { packages = ['python3-celery', 'python3-redis'], ...rest } = options;
  // bad options fail when the config loads, before anything connects
  const o = resolveCeleryOptions(rest);
  if (!Array.isArray(packages) || packages.some((p) => typeof p !== 'string' || !/^[a-z0-9][a-z0-9+.-]*$/.test(p))) {
    throw errors.options(`celery: packages must be an array of Debian package names, got ${JSON.stringify(packages)}`, { key: 'packages' });
  }
  const appOf = (site: SiteModel) => requireApp(site, 'celery');
  const unitContext = (site: SiteModel) => ({ brokerUnit: site.broker?.unit });
  /** this host's options: without beat where another host of the env runs it */
  const local = (ctx: Pick<PluginContext, 'alias' | 'fleet' | 'hostsWith'>): CeleryOptions => (runsBeat(o, ctx) ? rest : { ...rest, beat: false });
  return placeable(celery, options, definePlugin({
    name: 'celery',
    contribute(site, ctx) {
      const app = appOf(site);
      celeryAppOf(o, app);
      // the web app sends tasks too: the broker goes into the app's .env
      const broker = o.broker ?? site.broker?.url;
      if (broker !== undefined && (o.broker !== undefined || site.env.CELERY_BROKER_URL === undefined)) site.env.CELERY_BROKER_URL = broker;
      site.reloadUnits.push(...celeryUnits(local(ctx), app));
      claim(site, 'celery', ...celeryUnits(local(ctx), app).map((u) => `unit ${u}`));
    },
    configure(ctx) {
      const { site } = ctx;
      const app = appOf(site);
      const here = local(ctx);
      const beatHost = beatHostOf(o, ctx);
      return [
        ...(packages.length ? [celeryPackages(packages)] : []),
        celeryWorker(here, app, unitContext(site)),
        ...celeryBeat(here, app, unitContext(site)),
        ...(o.beat && beatHost && beatHost.alias !== ctx.alias ? [celeryBeatAbsent(rest, app, beatHost.alias)] : []),
        ...celeryStart(here, app),
      ];
    },
    deploy: (ctx) => ({ reload: celeryRestart(local(ctx), appOf(ctx.site)) }),
    handlers: (ctx) => celeryHandlers(local(ctx), appOf(ctx.site)),
    // no rollback hook: @runbook/app's rollback restarts site.reloadUnits itself, only when it switched
  }));
}
