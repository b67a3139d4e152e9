/**
 * A PluginContext for table tests of a plugin's hooks (`contribute`, `offer`, `configure`, `deploy`,
 * `handlers`) without a run: the site model is built the way the playbooks build it, every plugin's
 * `contribute` in order, on an empty model for the given hostname. With a `fleet`, the context is that
 * of one host of an env: each plugin is placed by its `on` (core's `hostPlans`, as a run does), the
 * host's model gets `contribute` of the plugins placed on it and `offer` of those placed elsewhere.
 */
import { emptySiteModel, fleetOf, hostPlans, type Plugin, type PluginContext, type Secret, type SiteModel } from '@runbook/core';

/** One host of a test env. */
export interface FleetEntry {
  alias: string;
  /** its inventory groups (roles); `all` comes first by itself @example ['data'] */
  groups?: string[];
  /** its private address (the `privateAddress` host var) @default the alias */
  address?: string;
}

export interface PluginContextOptions {
  /** @default 'web-1', or the first host of `fleet` */
  hostname?: string;
  /** @default 'test' */
  env?: string;
  /** @default 'deploy' */
  user?: string;
  /** the ssh port of the run (`ctx.port`): what a firewall plugin keeps open @default 22 */
  port?: number;
  vars?: Record<string, unknown>;
  secrets?: Record<string, Secret>;
  /** plugins whose `contribute` runs first, in order (the plugin under test included, usually last) */
  plugins?: Plugin[];
  /** changes to the site model after the plugins contributed */
  site?: Partial<SiteModel>;
  /**
   * The env's hosts: the context is then the one of host `hostname` (an alias of this list), with
   * placement (`on`) and `offer` as in a run.
   * @example [{ alias: 'data-1', groups: ['data'], address: '10.0.0.5' }, { alias: 'web-1', groups: ['web'], address: '10.0.0.6' }]
   */
  fleet?: FleetEntry[];
}

export function pluginContext(o: PluginContextOptions = {}): PluginContext {
  const plugins = o.plugins ?? [];
  const config = { root: '/nonexistent', inventoryDir: '/nonexistent', playbookDir: '/nonexistent', knownHosts: '/nonexistent', secretsDir: '/nonexistent', vars: {}, plugins };
  if (o.fleet) return fleetContext(o, o.fleet, config);
  const hostname = o.hostname ?? 'web-1';
  const site = emptySiteModel(hostname);
  const ctx: PluginContext = {
    alias: hostname, hostname, user: o.user ?? 'deploy', port: o.port ?? 22, groups: [], vars: o.vars ?? {}, env: o.env ?? 'test',
    site, secrets: o.secrets ?? {}, fleet: [], hostsWith: () => [], config,
  };
  for (const p of plugins) p.contribute?.(site, ctx);
  Object.assign(site, o.site ?? {});
  return ctx;
}

function fleetContext(o: PluginContextOptions, entries: FleetEntry[], config: PluginContext['config']): PluginContext {
  const env = o.env ?? 'test';
  const hosts = entries.map((e) => ({
    alias: e.alias, hostname: e.alias, user: o.user ?? 'deploy', port: o.port ?? 22, groups: ['all', ...(e.groups ?? [])], env,
    vars: { ...(e.address ? { privateAddress: e.address } : {}), ...(e.alias === (o.hostname ?? entries[0]?.alias) ? o.vars : {}) },
  }));
  const host = hosts.find((h) => h.alias === (o.hostname ?? hosts[0]?.alias));
  if (!host) throw new Error(`pluginContext: hostname ${o.hostname} is not in the fleet (${hosts.map((h) => h.alias).join(', ')})`);
  const fleet = fleetOf(hosts, new Set(hosts.map((h) => h.alias)));
  const { context } = hostPlans({ env, config, secrets: o.secrets ?? {}, fleet, hosts })(host);
  Object.assign(context.site, o.site ?? {});
  return context;
}
