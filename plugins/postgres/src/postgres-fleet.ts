/**
 * Where the database lives in an env of several hosts, and who reaches it over the network: one host
 * runs postgres; every other host that runs the app connects to it at its private address.
 */
import { isIP } from 'node:net';
import { emptySiteModel, errors, type FleetHost, type PluginContext, type SiteModel } from '@runbook/core';

type Ctx = Pick<PluginContext, 'env' | 'fleet' | 'hostsWith' | 'config' | 'hostname'>;

export interface PostgresWiring {
  /** the host running postgres; undefined outside an env (no fleet) */
  server?: FleetHost;
  /** the other hosts running the app: they connect over the network (pg_hba lets exactly them in) */
  remote: FleetHost[];
}

/** The server and its remote clients. Two postgres hosts are an error: migrations run once, against one database. */
export function postgresWiring(ctx: Ctx): PostgresWiring {
  // a context made without a fleet (hooks called by hand) is a single host
  const servers = ctx.hostsWith?.('postgres') ?? [];
  if (servers.length > 1) {
    throw errors.config(
      `postgres: env "${ctx.env}" places postgres on ${servers.length} hosts (${servers.map((h) => h.alias).join(', ')}); an env has one database host: place it with on (e.g. postgres({ on: 'data' }))`,
      { key: 'on' },
    );
  }
  const server = servers[0];
  if (!server) return { remote: [] };
  const remote = ctx.hostsWith('app').filter((h) => h.alias !== server.alias);
  if (remote.length) for (const h of [server, ...remote]) requireIp(h, server);
  return { server, remote };
}

/** listen_addresses and pg_hba need addresses, not names that DNS might resolve elsewhere. */
function requireIp(h: FleetHost, server: FleetHost): void {
  if (isIP(h.address)) return;
  throw errors.config(
    `postgres: ${h.alias === server.alias ? `${h.alias} serves the database to other hosts` : `${h.alias} connects to the database on ${server.alias}`}, so it needs its private address as an IP: set the host var privateAddress of ${h.alias} (its address is ${JSON.stringify(h.address)})`,
    { key: `hosts.${h.alias}.vars.privateAddress` },
  );
}

/** `10.0.0.5/32`, `fd00::5/128`: one host in pg_hba.conf. */
export const hostCidr = (address: string): string => `${address}/${isIP(address) === 6 ? 128 : 32}`;

/** The host part of a URL: IPv6 in brackets. */
export const urlHost = (address: string): string => (isIP(address) === 6 ? `[${address}]` : address);

/**
 * The app's model for naming the database where the app does not run (the data host): what the
 * config's app plugin contributes, on a scratch site model. The host's own model when it has the app.
 */
export function appSite(site: Pick<SiteModel, 'app'>, ctx: Ctx): Pick<SiteModel, 'app'> {
  if (site.app) return site;
  const app = ctx.config?.plugins.find((p) => p.name === 'app');
  if (!app?.contribute) return site;
  const scratch = emptySiteModel(ctx.hostname);
  app.contribute(scratch, { ...(ctx as PluginContext), site: scratch });
  return scratch;
}
