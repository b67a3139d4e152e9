import path from 'node:path';
import { expandTokens, type TokenContext } from './expand-tokens.js';
import { resolvePath, type LocalContext } from './local-context.js';
import { resolveSshHost } from './resolve-ssh-host.js';
import type { SshConfig } from './ssh-config.js';
import type { IdentitySource, JumpHop } from './types.js';
import type { HostEntry } from './validate-inventory.js';
import { invalid, type Sourced, type Where } from './where.js';

/** Everything needed to resolve an alias: the inventory's hosts and its ssh config. */
export interface ResolveContext {
  hosts: Map<string, HostEntry>;
  /** every alias, imported from the ssh config or listed in the inventory */
  aliases: string[];
  ssh?: SshConfig;
  /** the inventory file's directory: inventory paths are relative to it */
  dir: string;
  /** the inventory's knownHosts, absolute */
  knownHosts?: string;
  local: LocalContext;
}

/** A host or hop with its connection settings, before its ProxyJump is followed. */
export interface Endpoint extends JumpHop {
  identitiesOnly: boolean;
  forwardAgent: boolean;
  connectTimeout?: number;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  /** the ProxyJump value still to resolve, and where it was written */
  jump?: Sourced<string>;
}

/** Inventory keys win over the ssh config, which wins over ssh's defaults. */
export function resolveEndpoint(alias: string, ctx: ResolveContext): Endpoint {
  const entry = ctx.hosts.get(alias);
  const s = entry?.settings ?? {};
  const ssh = ctx.ssh ? resolveSshHost(ctx.ssh, alias) : { values: {}, identityFiles: [], sources: {} };
  const v = ssh.values;
  // HostName may use %h (the alias) and %%, e.g. `HostName %h.internal.example.com`
  const hostname = s.hostname ?? v.hostname?.replace(/%(.)/g, (t, c: string) => (c === 'h' ? alias : c === '%' ? '%' : t)) ?? alias;
  const tokens: TokenContext = { alias, hostname, port: s.port ?? v.port ?? 22, remoteUser: s.user ?? v.user ?? ctx.local.user, local: ctx.local };
  const sshDir = (at: Where) => path.dirname(at.file);
  // as in ssh: UserKnownHostsFile replaces ~/.ssh/known_hosts (`UserKnownHostsFile /dev/null` reads none)
  const knownHostsFiles = v.userKnownHostsFile
    ? v.userKnownHostsFile.map((f) => resolvePath(sshDir(ssh.sources.userKnownHostsFile!), expand(f, tokens, ssh.sources.userKnownHostsFile!), ctx.local.home))
    : [path.join(ctx.local.home, '.ssh', 'known_hosts')];
  if (ctx.knownHosts) knownHostsFiles.push(ctx.knownHosts);
  const jumpAt = entry?.keyAt.proxyJump ?? ssh.sources.proxyJump;
  const identities = s.identityFile
    ? inventoryIdentities(s.identityFile, entry!.keyAt.identityFile!, tokens, ctx)
    : sshIdentities(ssh.identityFiles, tokens, ctx);
  return {
    alias,
    hostname,
    port: tokens.port,
    user: tokens.remoteUser,
    identityFiles: [...new Set(identities.map((i) => i.path))],
    identitySources: identities,
    identitiesOnly: s.identitiesOnly ?? v.identitiesOnly ?? false,
    forwardAgent: s.forwardAgent ?? v.forwardAgent ?? false,
    knownHostsFiles,
    strictHostKeyChecking: s.strictHostKeyChecking ?? v.strictHostKeyChecking,
    hostKeyAlias: s.hostKeyAlias ?? v.hostKeyAlias,
    connectTimeout: s.connectTimeout ?? v.connectTimeout,
    serverAliveInterval: s.serverAliveInterval ?? v.serverAliveInterval,
    serverAliveCountMax: s.serverAliveCountMax ?? v.serverAliveCountMax,
    jump: jumpAt && { value: (s.proxyJump ?? v.proxyJump)!, at: jumpAt },
  };
}

const expand = (value: string, tokens: TokenContext, at: Where): string =>
  expandTokens(value, tokens, (message) => {
    throw invalid(at, message);
  });

/** Identity files the inventory names must exist (checkKeys): a typo should fail before anything connects. */
function inventoryIdentities(files: string[], at: Where, tokens: TokenContext, ctx: ResolveContext): IdentitySource[] {
  return files.map((f) => ({ path: resolvePath(ctx.dir, expand(f, tokens, at), ctx.local.home), at, required: true }));
}

/**
 * ssh only warns about a missing IdentityFile (a `Host *` default may name keys some people lack);
 * checkKeys does the same, and fails a host only when none of its files exists. Relative paths are
 * taken from the config file's directory, like its Includes.
 */
function sshIdentities(files: Sourced<string>[], tokens: TokenContext, ctx: ResolveContext): IdentitySource[] {
  return files.map((f) => ({ path: resolvePath(path.dirname(f.at.file), expand(f.value, tokens, f.at), ctx.local.home), at: f.at, required: false }));
}
