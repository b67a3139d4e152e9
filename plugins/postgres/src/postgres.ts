/**
 * `postgres(options)`: PostgreSQL from Debian, a login role for the app with a password from the env's
 * secrets, a database it owns, and `DATABASE_URL` (a Secret) in the site model so @runbook/app writes it
 * into `.env`. In an env of several hosts it runs on one (`on: 'data'`): the app on the other hosts gets
 * the URL at that host's private address (`offer`), and only they are let in over the network.
 */
import { definePlugin, placeable, type Plugin, type PluginContext, type Task } from '@runbook/core';
import { apt, systemdUnit } from '@runbook/system';
import { access } from './access.js';
import { database } from './database.js';
import { resolvePostgresOptions, resolveTarget, type PostgresOptions } from './postgres-options.js';
import { appSite, postgresWiring, urlHost } from './postgres-fleet.js';
import { role } from './role.js';

export const POSTGRES_UNIT = 'postgresql.service';

/**
 * @example
 * plugins: [app({ name: 'shop', … }), postgres(), uwsgi(), nginx()]   // password: POSTGRES_PASSWORD in secrets/<env>.env
 * @example
 * postgres({ on: 'data' })   // one database host; the app's hosts connect to its private address
 */
export function postgres(options: PostgresOptions = {}): Plugin {
  // bad options fail when the config loads, before anything connects
  const o = resolvePostgresOptions(options);
  return placeable(postgres, options, definePlugin({
    name: 'postgres',
    contribute(site, ctx) {
      postgresWiring(ctx);
      const t = resolveTarget(o, appSite(site, ctx), ctx.secrets, ctx.env);
      site.database = { url: t.url, name: t.database, user: t.user, unit: POSTGRES_UNIT };
      site.env[o.envVar] = t.url;
    },
    offer(site, ctx) {
      const { server, remote } = postgresWiring(ctx);
      // only the app's hosts are let in; another host (a proxy) gets no URL it could not use
      if (!server || !remote.some((h) => h.alias === ctx.alias)) return;
      const t = resolveTarget(o, appSite(site, ctx), ctx.secrets, ctx.env, urlHost(server.address));
      site.database = { url: t.url, name: t.database, user: t.user };
      site.env[o.envVar] = t.url;
    },
    configure(ctx: PluginContext): Task[] {
      const { server, remote } = postgresWiring(ctx);
      const t = resolveTarget(o, appSite(ctx.site, ctx), ctx.secrets, ctx.env);
      const addresses = [...new Set(remote.map((h) => h.address))];
      return [
        apt({ packages: ['postgresql'] }),
        systemdUnit({ name: POSTGRES_UNIT, enabled: true, state: 'started' }),
        role({ name: t.user, password: t.password }),
        database({ name: t.database, owner: t.user, locale: o.locale }),
        access({
          listen: server && addresses.length ? [server.address] : [],
          clients: addresses.map((address) => ({ database: t.database, user: t.user, address })),
        }),
      ];
    },
  }));
}
