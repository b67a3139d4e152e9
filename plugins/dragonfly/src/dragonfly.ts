/**
 * `dragonfly(options)`: a Redis-protocol server (Dragonfly) as a systemd service, installed the way the
 * team's manual steps did — binary from a pinned URL, system user, unit with Restart=always — with the
 * options on ExecStart and the password in a root-only EnvironmentFile. It contributes the broker URL
 * to the site model (`site.broker`, and CELERY_BROKER_URL / REDIS_URL in `site.env`); in an env of
 * several hosts it offers that URL, at its host's private address, to the app's and celery's hosts
 * that have no broker of their own.
 */
import { definePlugin, placeable, type Plugin, type PluginContext } from '@runbook/core';
import { brokerUrl, DRAGONFLY, resolveDragonflyOptions, resolvePassword, type DragonflyOptions } from './dragonfly-options.js';
import { dragonflyWiring, remoteHost, requirePassword, servingOptions } from './dragonfly-fleet.js';
import {
  dragonflyBinary, dragonflyEnvFile, dragonflyPackages, dragonflyRestart, dragonflyServer, dragonflyService, dragonflyUser, RESTART_HANDLER,
} from './dragonfly-tasks.js';

/**
 * @example
 * plugins: [app({ … }), dragonfly({ url: 'https://…/dragonfly-x86_64', sha256: '…', maxMemory: '512mb' }), celery()]
 * @example
 * dragonfly({ on: 'data', url, sha256 })   // the web and worker hosts use it at the data host's private address
 */
export function dragonfly(options: DragonflyOptions): Plugin {
  // bad options fail when the config loads, before anything connects
  const o = resolveDragonflyOptions(options);
  /** this host's options and password: the private address as bind when it serves other hosts */
  const serving = (ctx: Pick<PluginContext, 'env' | 'fleet' | 'hostsWith' | 'secrets'>) => {
    const w = dragonflyWiring(ctx);
    const password = resolvePassword(o, ctx.secrets);
    requirePassword(w, password, o, ctx.env);
    return { so: servingOptions(o, w), password };
  };
  return placeable(dragonfly, options, definePlugin({
    name: 'dragonfly',
    contribute(site, ctx) {
      const { so, password } = serving(ctx);
      const url = brokerUrl(so, password);
      site.broker = { url, unit: DRAGONFLY.unit };
      for (const key of o.envVars) site.env[key] = url;
    },
    offer(site, ctx) {
      const w = dragonflyWiring(ctx);
      if (!w.server || !w.remote.some((h) => h.alias === ctx.alias)) return;
      const password = resolvePassword(o, ctx.secrets);
      requirePassword(w, password, o, ctx.env);
      // no unit: the broker is not on this host, so nothing here orders itself After= it
      const url = brokerUrl(o, password, remoteHost(o, w.server));
      site.broker = { url };
      for (const key of o.envVars) site.env[key] = url;
    },
    configure(ctx: PluginContext) {
      const { so, password } = serving(ctx);
      return [
        dragonflyPackages(),
        ...dragonflyUser(),
        ...dragonflyBinary(so),
        ...dragonflyEnvFile(password),
        dragonflyService(so, password !== undefined),
        // a new binary, unit or password: restart (by state, so a failed earlier run is healed too), then PONG
        dragonflyServer(so),
      ];
    },
    handlers: (ctx) => ({ [RESTART_HANDLER]: dragonflyRestart(serving(ctx).so) }),
  }));
}
