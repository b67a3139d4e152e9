/**
 * A PluginContext for table tests of a plugin's hooks (`contribute`, `configure`, `deploy`, `handlers`)
 * without a run: the site model is built the way the playbooks build it, every plugin's `contribute` in
 * order, on an empty model for the given hostname.
 */
import { emptySiteModel, type Plugin, type PluginContext, type Secret, type SiteModel } from '@runbook/core';

export interface PluginContextOptions {
  /** @default 'web-1' */
  hostname?: string;
  /** @default 'test' */
  env?: string;
  /** @default 'deploy' */
  user?: string;
  vars?: Record<string, unknown>;
  secrets?: Record<string, Secret>;
  /** plugins whose `contribute` runs first, in order (the plugin under test included, usually last) */
  plugins?: Plugin[];
  /** changes to the site model after the plugins contributed */
  site?: Partial<SiteModel>;
}

export function pluginContext(o: PluginContextOptions = {}): PluginContext {
  const hostname = o.hostname ?? 'web-1';
  const plugins = o.plugins ?? [];
  const site = emptySiteModel(hostname);
  const ctx: PluginContext = {
    alias: hostname, hostname, user: o.user ?? 'deploy', groups: [], vars: o.vars ?? {}, env: o.env ?? 'test',
    site, secrets: o.secrets ?? {}, fleet: [], hostsWith: () => [],
    config: { root: '/nonexistent', inventoryDir: '/nonexistent', playbookDir: '/nonexistent', knownHosts: '/nonexistent', secretsDir: '/nonexistent', vars: {}, plugins },
  };
  for (const p of plugins) p.contribute?.(site, ctx);
  Object.assign(site, o.site ?? {});
  return ctx;
}
