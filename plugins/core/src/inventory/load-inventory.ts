import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errors } from '../errors.js';
import { localContext, resolvePath, type LocalContext } from './local-context.js';
import { mergeVars, type Vars } from './merge-vars.js';
import { pickSshConfigHosts } from './pick-ssh-config-hosts.js';
import { readYaml, type YamlSource } from './read-yaml.js';
import { resolveEndpoint, type ResolveContext } from './resolve-endpoint.js';
import { resolveProxyJump } from './resolve-proxy-jump.js';
import { sshConfigAliases } from './resolve-ssh-host.js';
import { loadSshConfig, type SshConfig } from './ssh-config.js';
import type { HostSpec, Inventory, InventoryGroup, LoadInventoryOptions } from './types.js';
import { validateInventory, type InventoryFile } from './validate-inventory.js';
import { invalid, type Sourced, type Where } from './where.js';

/** One mapping of vars in the inventory file, and the path it is written at. */
interface VarLayer { vars: Vars; path: string[] }

/** Each var the layers set (lowest precedence first), with where it is written. */
function varsFrom(src: YamlSource, layers: VarLayer[]): Record<string, Sourced<unknown>[]> {
  const out: Record<string, Sourced<unknown>[]> = {};
  for (const { vars, path: at } of layers) {
    for (const [key, value] of Object.entries(vars)) {
      if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value: [], enumerable: true });
      out[key].push({ value, at: src.at([...at, key]) });
    }
  }
  return out;
}

/** The envs that exist: the `*.yml` names in the inventories directory, sorted. */
export async function listEnvs(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.yml') && !n.startsWith('.')).map((n) => n.slice(0, -4)).sort();
}

/**
 * Reads `<dir>/<env>.yml` and its ssh config, checks everything that can be checked without connecting
 * (shapes, types, files, aliases, ProxyJump chains) and resolves every host. Identity files are looked
 * for later, on the hosts a run selects (checkKeys): a missing key of another host is no concern of it.
 */
export async function loadInventory(opts: LoadInventoryOptions): Promise<Inventory> {
  const dir = path.resolve(opts.dir);
  const file = path.join(dir, `${opts.env}.yml`);
  const text = await readInventory(opts.env, file);
  if (text === undefined) throw errors.unknownEnv(opts.env, await listEnvs(dir), dir);
  const src = readYaml(text, file);
  const inv = validateInventory(src, file);
  const local = localContext(opts);
  const ssh = inv.sshConfig && (await loadSshConfig(await existing(inv.sshConfig, dir, local, 'ssh config'), local.home));
  const knownHosts = inv.knownHosts && (await existing(inv.knownHosts, dir, local, 'known_hosts file'));
  const sources = hostSources(inv, ssh);
  if (sources.size === 0) throw invalid(src.at(['hosts']), 'no hosts: list them under hosts:, or import Host aliases of an sshConfig with sshConfigHosts');
  const aliases = [...sources.keys()];
  const hostGroups = groupsOfHosts(inv, aliases);
  const ctx: ResolveContext = { hosts: new Map(inv.hosts.map((h) => [h.alias, h])), aliases, ssh, dir, knownHosts, local };
  const envVars = mergeVars(opts.defaults, opts.configVars, inv.vars);
  const hosts: HostSpec[] = [];
  for (const alias of aliases) {
    const { jump, ...endpoint } = resolveEndpoint(alias, ctx);
    const entry = ctx.hosts.get(alias);
    const groups = hostGroups.get(alias)!;
    // the host's own layers over the env's: its groups in the order of `groups` (see groupsOfHosts: a
    // later group's vars win over an earlier one's), then its entry
    const layers: VarLayer[] = [
      ...groups.flatMap((g) => inv.groups.filter((d) => d.name === g).map((d) => ({ vars: d.vars, path: ['groups', g, 'vars'] }))),
      ...(entry ? [{ vars: entry.vars, path: ['hosts', alias, 'vars'] }] : []),
    ];
    hosts.push({
      ...endpoint,
      proxyJump: await resolveProxyJump({ ...endpoint, jump }, ctx),
      become: entry?.settings.become ?? endpoint.user !== 'root',
      groups,
      vars: mergeVars(envVars, ...layers.map((l) => l.vars), opts.extraVars),
      varsFrom: varsFrom(src, [{ vars: inv.vars, path: ['vars'] }, ...layers]),
      source: { file: sources.get(alias)!.file, line: sources.get(alias)!.line },
    });
  }
  return { env: opts.env, file, hosts, groups: groupTable(inv, hosts), vars: mergeVars(envVars, opts.extraVars) };
}

async function readInventory(env: string, file: string): Promise<string | undefined> {
  // an env is a file name, never a path
  if (!/^[\w-][\w.-]*$/.test(env)) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw errors.inventory(`cannot read the inventory: ${(e as Error).message}`, { file });
  }
}

async function existing(p: Sourced<string>, dir: string, local: LocalContext, what: string): Promise<string> {
  const abs = resolvePath(dir, p.value, local.home);
  if (!(await access(abs).then(() => true, () => false))) throw invalid(p.at, `${what} not found: ${abs}`);
  return abs;
}

/**
 * Hosts in order: the ssh config aliases `sshConfigHosts` imports (file order), then the hosts only the
 * inventory lists. Without `sshConfigHosts` the ssh config adds no host, only settings.
 */
function hostSources(inv: InventoryFile, ssh: SshConfig | undefined): Map<string, Where> {
  const out = new Map<string, Where>();
  const imported = ssh && inv.sshConfigHosts ? pickSshConfigHosts(sshConfigAliases(ssh), inv.sshConfigHosts, ssh.file) : [];
  for (const alias of imported) out.set(alias.value, alias.at);
  // an inventory entry for an imported alias adds to it; its line is the better place to point at
  for (const h of inv.hosts) out.set(h.alias, h.at);
  return out;
}

/**
 * Each host's groups, in var precedence order (later wins): `all`, then the groups the host lists in
 * its `groups:` (in that order), then the groups whose `hosts:` name it (in the order of `groups:`).
 */
function groupsOfHosts(inv: InventoryFile, aliases: string[]): Map<string, string[]> {
  const out = new Map(aliases.map((a) => [a, ['all']]));
  const add = (alias: string, group: string) => out.get(alias)!.includes(group) || out.get(alias)!.push(group);
  for (const h of inv.hosts) h.groups.forEach((g) => add(h.alias, g));
  for (const g of inv.groups) {
    for (const h of g.hosts) {
      if (!out.has(h.value)) throw invalid(h.at, `unknown host "${h.value}" in group ${g.name}; hosts: ${aliases.join(', ')}`);
      add(h.value, g.name);
    }
  }
  return out;
}

/** `all`, the groups of `groups:` in their order, then groups only named on hosts. */
function groupTable(inv: InventoryFile, hosts: HostSpec[]): Record<string, InventoryGroup> {
  const names = ['all', ...inv.groups.map((g) => g.name), ...hosts.flatMap((h) => h.groups)];
  const table: Record<string, InventoryGroup> = {};
  for (const name of new Set(names)) {
    table[name] = {
      vars: inv.groups.find((g) => g.name === name)?.vars ?? {},
      hosts: hosts.filter((h) => h.groups.includes(name)).map((h) => h.alias),
    };
  }
  return table;
}
