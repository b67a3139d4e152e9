/**
 * `postgres(options)`: PostgreSQL from Debian on the app's host, a login role for the app with a
 * password from the env's secrets, a database it owns, and `DATABASE_URL` (a Secret) in the site model
 * so @runbook/app writes it into `.env`.
 */
import { definePlugin, placeable, type Plugin, type PluginContext, type Task } from '@runbook/core';
import { apt, systemdUnit } from '@runbook/system';
import { database } from './database.js';
import { resolvePostgresOptions, resolveTarget, type PostgresOptions } from './postgres-options.js';
import { role } from './role.js';

export const POSTGRES_UNIT = 'postgresql.service';

/**
 * @example
 * plugins: [app({ name: 'shop', … }), postgres(), uwsgi(), nginx()]   // password: POSTGRES_PASSWORD in secrets/<env>.env
 */
export function postgres(options: PostgresOptions = {}): Plugin {
  // bad options fail when the config loads, before anything connects
  const o = resolvePostgresOptions(options);
  return placeable(postgres, options, definePlugin({
    name: 'postgres',
    contribute(site, ctx) {
      const t = resolveTarget(o, site, ctx.secrets, ctx.env);
      site.database = { url: t.url, name: t.database, user: t.user, unit: POSTGRES_UNIT };
      site.env[o.envVar] = t.url;
    },
    configure(ctx: PluginContext): Task[] {
      const t = resolveTarget(o, ctx.site, ctx.secrets, ctx.env);
      return [
        apt({ packages: ['postgresql'] }),
        systemdUnit({ name: POSTGRES_UNIT, enabled: true, state: 'started' }),
        role({ name: t.user, password: t.password }),
        database({ name: t.database, owner: t.user, locale: o.locale }),
      ];
    },
  }));
}
