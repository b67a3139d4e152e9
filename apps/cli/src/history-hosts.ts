/**
 * Which hosts of an env `run history` reads, and how: those of the selection (`--limit`) that run an app
 * (its plugin placed there), each with the roots of its apps, over the run's own SSH settings.
 */
import { fleetOf, hostPlans, loadInventory, selectHosts, type ResolvedConfig, type SshOptions } from '@runbook/core';
import { connectHost } from './connect-host.js';
import { readAudits, type AuditRead, type AuditTarget } from './host-audit.js';

/** long enough for a login over a slow link, short enough that a host that is down does not hold the listing */
export const AUDIT_TIMEOUT_MS = 8_000;

export async function auditTargets(config: ResolvedConfig, env: string, limit: string | undefined, ssh: SshOptions): Promise<AuditTarget[]> {
  const inventory = await loadInventory({ dir: config.inventoryDir, env, configVars: config.vars });
  const selected = selectHosts(inventory, limit);
  // the apps alone: their placement and roots need no secrets, while other plugins' models may (a broker password)
  const apps = { ...config, plugins: config.plugins.filter((p) => p.opensSite) };
  const plans = hostPlans({ env, config: apps, fleet: fleetOf(inventory.hosts, new Set(selected.map((h) => h.alias))) });
  return selected.flatMap((h) => {
    const plan = plans({ alias: h.alias, hostname: h.hostname, user: h.user, port: h.port, groups: h.groups, vars: h.vars, env });
    const roots = [...new Set(plan.sites.map((s) => s.context.site.app?.root).filter((r): r is string => Boolean(r)))];
    return roots.length ? [{ alias: h.alias, roots, connect: () => connectHost(h, ssh) }] : [];
  });
}

export async function readEnvAudits(config: ResolvedConfig, env: string, limit: string | undefined, ssh: SshOptions): Promise<AuditRead> {
  return readAudits(await auditTargets(config, env, limit, ssh), AUDIT_TIMEOUT_MS);
}
