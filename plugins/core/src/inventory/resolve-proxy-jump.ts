import { resolveEndpoint, type Endpoint, type ResolveContext } from './resolve-endpoint.js';
import type { JumpHop } from './types.js';
import { invalid, type Sourced } from './where.js';

/** One hop as written: `[user@]host[:port]`, where host is an alias or a DNS name / IP. */
export interface HopSpec {
  user?: string;
  host: string;
  port?: number;
}

const hopPattern = /^(?:([^@\s:/]+)@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(\d+))?$/;

/** Parses one hop; undefined when it is not `[user@]host[:port]` (IPv6 in brackets). */
export function parseHop(text: string): HopSpec | undefined {
  const m = hopPattern.exec(text.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { user: m[1], host: m[2].replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * Follows an endpoint's ProxyJump as OpenSSH does: `ProxyJump a,b` reaches b through a, and a through
 * a's own ProxyJump, so the chain is a's chain, then a, then b. A hop that is an alias (of the inventory
 * or the ssh config) gets its own HostName, User, Port and keys; `user@` and `:port` in the hop win.
 * `stack` holds the aliases being resolved, to catch a cycle.
 */
export async function resolveProxyJump(ep: Endpoint, ctx: ResolveContext, stack: string[] = [ep.alias]): Promise<JumpHop[]> {
  const jump = ep.jump;
  if (!jump || jump.value.toLowerCase() === 'none') return [];
  const specs = jump.value.split(',').map((text) => toSpec(text, jump, ctx));
  const chain: JumpHop[] = [];
  for (const [i, spec] of specs.entries()) {
    if (stack.some((a) => a.toLowerCase() === spec.host.toLowerCase())) {
      throw invalid(jump.at, `proxyJump cycle: ${[...stack, spec.host].join(' → ')}`);
    }
    const hop = resolveEndpoint(spec.host, ctx);
    // only the first hop is reached through its own ProxyJump; later ones through the hop before them
    if (i === 0) chain.push(...(await resolveProxyJump(hop, ctx, [...stack, spec.host])));
    chain.push(toHop({ ...hop, user: spec.user ?? hop.user, port: spec.port ?? hop.port }));
  }
  return chain;
}

function toSpec(text: string, jump: Sourced<string>, ctx: ResolveContext): HopSpec {
  if (ctx.aliases.includes(text.trim())) return { host: text.trim() };
  const spec = parseHop(text);
  if (spec) return spec;
  const aliases = ctx.aliases;
  throw invalid(jump.at, `proxyJump hop "${text.trim()}" is neither a known alias nor [user@]host[:port]` +
    (aliases.length ? `; aliases: ${aliases.join(', ')}` : ''));
}

const toHop = (ep: Endpoint): JumpHop => ({
  alias: ep.alias,
  hostname: ep.hostname,
  port: ep.port,
  user: ep.user,
  identityFiles: ep.identityFiles,
  identitySources: ep.identitySources,
  knownHostsFiles: ep.knownHostsFiles,
  ...(ep.strictHostKeyChecking && { strictHostKeyChecking: ep.strictHostKeyChecking }),
  ...(ep.hostKeyAlias && { hostKeyAlias: ep.hostKeyAlias }),
});
