/**
 * The broker in an env of several hosts: its clients are the hosts running the app or celery. When
 * some of them have no dragonfly of their own, one host serves them at its private address, with a
 * password. Dragonfly's `--bind` takes one address, so that host's own clients use the private
 * address too (not loopback). The cgroup firewall of systemd (`IPAddressAllow=`) is not used: it needs
 * the unified cgroup hierarchy, and the test hosts (systemd-nspawn on cgroup v1) ignore it silently, so
 * it could not be tested; the bind address and the password are the limits.
 */
import { isIP } from 'node:net';
import { errors, type FleetHost, type PluginContext, type Secret } from '@runbook/core';
import type { ResolvedDragonflyOptions } from './dragonfly-options.js';

type Ctx = Pick<PluginContext, 'env' | 'fleet' | 'hostsWith'>;

export interface DragonflyWiring {
  /** the host serving the other hosts; set when `remote` is not empty */
  server?: FleetHost;
  /** hosts running the app or celery without a dragonfly of their own */
  remote: FleetHost[];
}

/** Who serves whom. Clients without a broker of their own need exactly one dragonfly host to go to. */
export function dragonflyWiring(ctx: Ctx): DragonflyWiring {
  // a context made without a fleet (hooks called by hand) is a single host
  const servers = ctx.hostsWith?.('dragonfly') ?? [];
  const clients = new Set([...ctx.hostsWith?.('app') ?? [], ...ctx.hostsWith?.('celery') ?? []].map((h) => h.alias));
  const remote = (ctx.fleet ?? []).filter((h) => clients.has(h.alias) && !servers.some((s) => s.alias === h.alias));
  if (!remote.length || !servers.length) return { remote: [] };
  if (servers.length > 1) {
    throw errors.config(
      `dragonfly: in env "${ctx.env}", ${remote.map((h) => h.alias).join(', ')} run the app or celery without a broker of their own, and dragonfly runs on ${servers.length} hosts (${servers.map((h) => h.alias).join(', ')}): place it on one host, or on every host that needs it`,
      { key: 'on' },
    );
  }
  const server = servers[0];
  for (const h of [server, ...remote]) {
    if (isIP(h.address)) continue;
    throw errors.config(
      `dragonfly: ${h.alias === server.alias ? `${h.alias} serves the broker to other hosts` : `${h.alias} uses the broker on ${server.alias}`}, so it needs its private address as an IP: set the host var privateAddress of ${h.alias} (its address is ${JSON.stringify(h.address)})`,
      { key: `hosts.${h.alias}.vars.privateAddress` },
    );
  }
  return { server, remote };
}

/** Serving other hosts needs a password: the broker would otherwise be open to the network. */
export function requirePassword(w: DragonflyWiring, password: Secret | undefined, o: ResolvedDragonflyOptions, env: string): void {
  if (password || !w.server) return;
  throw errors.config(
    `dragonfly: ${w.remote.map((h) => h.alias).join(', ')} reach the broker on ${w.server.alias} over the network, so it needs a password: set ${o.passwordSecret} in the ${env} secrets, or the password option`,
    { key: 'password' },
  );
}

/** The options this host serves with: the private address as `--bind` when it serves other hosts (a given `bind` is kept). */
export function servingOptions(o: ResolvedDragonflyOptions, w: DragonflyWiring): ResolvedDragonflyOptions {
  if (!w.server) return o;
  if (!o.bindGiven) return { ...o, bind: w.server.address };
  if (loopback(o.bind)) {
    throw errors.config(`dragonfly: bind ${o.bind} keeps ${w.remote.map((h) => h.alias).join(', ')} out: leave bind unset (the private address of ${w.server.alias})`, { key: 'bind' });
  }
  return o;
}

const loopback = (a: string): boolean => a === 'localhost' || a.startsWith('127.') || a === '::1';

/** The address other hosts connect to: a given specific `bind`, else the server's private address. */
export function remoteHost(o: ResolvedDragonflyOptions, server: FleetHost): string {
  return o.bindGiven && !['0.0.0.0', '::'].includes(o.bind) && !loopback(o.bind) ? o.bind : server.address;
}
