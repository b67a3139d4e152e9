/**
 * `dragonfly(options)`: a Redis-protocol server (Dragonfly) as a systemd service, installed the way the
 * team's manual steps did — binary from a pinned URL, system user, unit with Restart=always — with the
 * options on ExecStart and the password in a root-only EnvironmentFile. It contributes the broker URL
 * to the site model (`site.broker`, and CELERY_BROKER_URL / REDIS_URL in `site.env`).
 */
import { definePlugin, placeable, type Plugin, type PluginContext } from '@runbook/core';
import { brokerUrl, DRAGONFLY, resolveDragonflyOptions, resolvePassword, type DragonflyOptions } from './dragonfly-options.js';
import {
  dragonflyBinary, dragonflyEnvFile, dragonflyPackages, dragonflyRestart, dragonflyServer, dragonflyService, dragonflyUser, RESTART_HANDLER,
} from './dragonfly-tasks.js';

/**
 * @example
 * plugins: [app({ … }), dragonfly({ url: 'https://…/dragonfly-x86_64', sha256: '…', maxMemory: '512mb' }), celery()]
 */
export function dragonfly(options: DragonflyOptions): Plugin {
  // bad options fail when the config loads, before anything connects
  const o = resolveDragonflyOptions(options);
  return placeable(dragonfly, options, definePlugin({
    name: 'dragonfly',
    contribute(site, ctx) {
      const url = brokerUrl(o, resolvePassword(o, ctx.secrets));
      site.broker = { url, unit: DRAGONFLY.unit };
      for (const key of o.envVars) site.env[key] = url;
    },
    configure(ctx: PluginContext) {
      const password = resolvePassword(o, ctx.secrets);
      return [
        dragonflyPackages(),
        ...dragonflyUser(),
        ...dragonflyBinary(o),
        ...dragonflyEnvFile(password),
        dragonflyService(o, password !== undefined),
        // a new binary, unit or password: restart (by state, so a failed earlier run is healed too), then PONG
        dragonflyServer(o),
      ];
    },
    handlers: () => ({ [RESTART_HANDLER]: dragonflyRestart(o) }),
  }));
}
