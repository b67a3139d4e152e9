import * as check from './checks.js';
import type { Check } from './checks.js';
import type { Vars } from './merge-vars.js';
import type { YamlSource } from './read-yaml.js';
import { invalid, show, type Sourced, type Where } from './where.js';

/** Connection keys an inventory host may set; each overrides what the ssh config says. */
export interface HostSettings {
  hostname?: string;
  port?: number;
  user?: string;
  identityFile?: string[];
  identitiesOnly?: boolean;
  forwardAgent?: boolean;
  proxyJump?: string;
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new';
  hostKeyAlias?: string;
  connectTimeout?: number;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  become?: boolean;
}

const hostChecks: { [K in keyof HostSettings]-?: Check<NonNullable<HostSettings[K]>> } = {
  hostname: check.text,
  port: check.port,
  user: check.text,
  identityFile: check.paths,
  identitiesOnly: check.flag,
  forwardAgent: check.flag,
  proxyJump: check.text,
  strictHostKeyChecking: check.hostKeyChecking,
  hostKeyAlias: check.text,
  connectTimeout: check.seconds,
  serverAliveInterval: check.seconds,
  serverAliveCountMax: check.count,
  become: check.flag,
};

export interface HostEntry {
  alias: string;
  at: Where;
  settings: HostSettings;
  /** where each setting is written */
  keyAt: Partial<Record<keyof HostSettings, Where>>;
  groups: string[];
  vars: Vars;
}

export interface GroupEntry {
  name: string;
  at: Where;
  vars: Vars;
  hosts: Sourced<string>[];
}

/** An inventory file checked for shape and types; paths are still as written. */
export interface InventoryFile {
  file: string;
  sshConfig?: Sourced<string>;
  /** which Host aliases of the ssh config become hosts, as written (`all`, `prod-*`, `!prod-db`); none when absent */
  sshConfigHosts?: Sourced<string>[];
  knownHosts?: Sourced<string>;
  vars: Vars;
  groups: GroupEntry[];
  hosts: HostEntry[];
}

type Path = (string | number)[];

const topKeys = ['sshConfig', 'sshConfigHosts', 'knownHosts', 'vars', 'groups', 'hosts'];

export function validateInventory(src: YamlSource, file: string): InventoryFile {
  const top = src.data;
  if (top === null || top === undefined) throw invalid(src.at([]), 'the inventory file is empty; expected a mapping with hosts:');
  if (!check.isMapping(top)) throw invalid(src.at([]), `expected a mapping (${topKeys.join(', ')}) at the top, got ${show(top)}`);
  allowKeys(src, [], top, topKeys);
  const sourced = (key: string): Sourced<string> | undefined =>
    top[key] === undefined ? undefined : { value: read(src, [key], top[key], check.path), at: src.at([key]) };
  const hosts = read(src, ['hosts'], top.hosts, check.mapping);
  const groups = read(src, ['groups'], top.groups, check.mapping);
  const sshConfig = sourced('sshConfig');
  const sshConfigHosts = top.sshConfigHosts === undefined ? undefined : readPatterns(src, ['sshConfigHosts'], top.sshConfigHosts);
  checkHostChoice(src, sshConfig, sshConfigHosts, Object.keys(hosts).length > 0);
  return {
    file,
    sshConfig,
    sshConfigHosts,
    knownHosts: sourced('knownHosts'),
    vars: read(src, ['vars'], top.vars, check.mapping),
    groups: Object.entries(groups).map(([name, value]) => readGroup(src, name, value)),
    hosts: Object.entries(hosts).map(([alias, value]) => readHost(src, alias, value)),
  };
}

function readHost(src: YamlSource, alias: string, value: unknown): HostEntry {
  const path = ['hosts', alias];
  checkName(src, path, alias, 'an alias');
  const body = read(src, path, value, check.mapping); // `bastion:` and `bastion: {}` both mean "defaults"
  allowKeys(src, path, body, [...Object.keys(hostChecks), 'groups', 'vars']);
  const entry: HostEntry = { alias, at: src.at(path), settings: {}, keyAt: {}, groups: [], vars: {} };
  for (const key of Object.keys(hostChecks) as (keyof HostSettings)[]) {
    if (body[key] === undefined) continue;
    (entry.settings as Record<string, unknown>)[key] = read(src, [...path, key], body[key], hostChecks[key] as Check<unknown>);
    entry.keyAt[key] = src.at([...path, key]);
  }
  entry.groups = readNames(src, [...path, 'groups'], body.groups, 'a group name').map((g) => g.value);
  entry.vars = read(src, [...path, 'vars'], body.vars, check.mapping);
  return entry;
}

function readGroup(src: YamlSource, name: string, value: unknown): GroupEntry {
  const path = ['groups', name];
  checkName(src, path, name, 'a group name');
  if (name === 'all') throw invalid(src.at(path), 'the group "all" is implicit (every host); put its vars under the top-level vars:');
  const body = read(src, path, value, check.mapping);
  allowKeys(src, path, body, ['vars', 'hosts']);
  return {
    name,
    at: src.at(path),
    vars: read(src, [...path, 'vars'], body.vars, check.mapping),
    hosts: readNames(src, [...path, 'hosts'], body.hosts, 'a host alias'),
  };
}

/**
 * An ssh config supplies settings; which of its aliases are hosts is said explicitly: a team's
 * ~/.ssh/config holds dev and prod alike, and a prod run must not reach the dev host by default.
 */
function checkHostChoice(src: YamlSource, sshConfig: Sourced<string> | undefined, sshConfigHosts: Sourced<string>[] | undefined, listsHosts: boolean): void {
  if (sshConfigHosts && !sshConfig) {
    throw invalid(src.at(['sshConfigHosts']), 'sshConfigHosts picks Host aliases of the ssh config, but there is none: add sshConfig: <path>');
  }
  if (sshConfig && !sshConfigHosts && !listsHosts) {
    throw invalid(sshConfig.at, 'sshConfig names no hosts by itself: list this env\'s hosts under hosts: (the ssh config supplies ' +
      'their settings), or import Host aliases of the ssh config with sshConfigHosts: all, a pattern such as "prod-*", or a list of patterns');
  }
}

/** `sshConfigHosts`: `all`, an alias pattern (`prod-*`, `!prod-db`) or a list of them. */
function readPatterns(src: YamlSource, path: Path, value: unknown): Sourced<string>[] {
  const expected = 'all, an alias pattern ("prod-*", "!prod-db") or a list of them';
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw invalid(src.at(path), `expected ${expected}, got an empty list`);
  return list.map((item, i) => {
    const at = src.at(Array.isArray(value) ? [...path, i] : path);
    // YAML reads a bare `!dev-*` as a tag on an empty value
    if (item === '') throw invalid(at, `expected ${expected}, got nothing: quote patterns that start with ! ('!dev-*')`);
    if (typeof item !== 'string' || !/^!?[^\s,!]+$/.test(item.trim())) throw invalid(at, `expected ${expected}, got ${show(item)}`);
    return { value: item.trim(), at };
  });
}

function read<T>(src: YamlSource, path: Path, value: unknown, c: Check<T>): T {
  const parsed = c.parse(value);
  if (parsed === undefined) throw invalid(src.at(path), `expected ${c.expected}, got ${show(value)}`);
  return parsed;
}

/** A list of names (a single name is accepted too): groups on a host, hosts of a group. */
function readNames(src: YamlSource, path: Path, value: unknown, what: string): Sourced<string>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const at = (i: number): Where => src.at(Array.isArray(value) ? [...path, i] : path);
  return list.map((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') throw invalid(at(i), `expected ${what} (a string), got ${show(item)}`);
    checkName(src, Array.isArray(value) ? [...path, i] : path, item, what);
    return { value: item, at: at(i) };
  });
}

// --limit splits on , and : and reads a leading ! or & as operators, so names must avoid them
function checkName(src: YamlSource, path: Path, name: string, what: string): void {
  if (name === '' || /[\s,]/.test(name) || /^[!&]/.test(name)) {
    throw invalid(src.at(path), `${JSON.stringify(name)} is not usable as ${what}: no spaces or commas, no leading ! or &`);
  }
}

function allowKeys(src: YamlSource, path: Path, body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    const hint = check.closest(key, allowed);
    throw invalid(src.at([...path, key]), `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`);
  }
}
