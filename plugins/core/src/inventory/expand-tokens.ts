import type { LocalContext } from './local-context.js';

/** What `%` tokens in IdentityFile / UserKnownHostsFile stand for, once the host is resolved. */
export interface TokenContext {
  alias: string;
  hostname: string;
  port: number;
  remoteUser: string;
  local: LocalContext;
}

const tokenValues = (c: TokenContext): Record<string, string> => ({
  '%': '%',
  d: c.local.home,
  h: c.hostname,
  p: String(c.port),
  r: c.remoteUser,
  u: c.local.user,
  n: c.alias,
  l: c.local.hostname,
  L: c.local.hostname.split('.')[0],
  i: String(c.local.uid),
});

/** Expands ssh_config(5) TOKENS; an unknown one is an error, as in ssh. */
export function expandTokens(value: string, c: TokenContext, fail: (message: string) => never): string {
  const values = tokenValues(c);
  return value.replace(/%(.?)/g, (token, name: string) =>
    values[name] ?? fail(`unknown token "${token}" in "${value}"; known: ${Object.keys(values).map((k) => `%${k}`).join(' ')}`),
  );
}
