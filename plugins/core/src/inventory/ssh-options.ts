/** The ssh_config keywords Runbook uses, as typed values. Every other keyword is ignored, as ssh has many. */
export interface SshValues {
  hostname: string;
  port: number;
  user: string;
  identityFile: string;
  identitiesOnly: boolean;
  forwardAgent: boolean;
  /** comma-separated hops, or `none` (which, being the first value obtained, also wins) */
  proxyJump: string;
  userKnownHostsFile: string[];
  strictHostKeyChecking: 'yes' | 'no' | 'accept-new';
  connectTimeout: number;
  serverAliveInterval: number;
  serverAliveCountMax: number;
  hostKeyAlias: string;
}

export type SshSetting = { [K in keyof SshValues]: { name: K; value: SshValues[K] } }[keyof SshValues];

type Fail = (message: string) => never;
type Parse = (args: string[], fail: Fail) => SshSetting;

function single(args: string[], fail: Fail): string {
  if (args.length === 0) fail('missing argument');
  if (args.length > 1) fail(`expected one argument, got ${args.length}: ${args.join(' ')}`);
  return args[0];
}

function yesNo(args: string[], fail: Fail): boolean {
  const v = single(args, fail).toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return fail(`expected yes or no, got "${v}"`);
}

function port(args: string[], fail: Fail): number {
  const v = single(args, fail);
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  return n >= 1 && n <= 65535 ? n : fail(`expected a port number 1–65535, got "${v}"`);
}

function integer(args: string[], fail: Fail): number {
  const v = single(args, fail);
  return /^\d+$/.test(v) ? Number(v) : fail(`expected a whole number, got "${v}"`);
}

const timeUnits: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds in ssh's time format: `30`, `90s`, `1m30s`, `1h` (sshd_config(5) TIME FORMATS). */
function seconds(args: string[], fail: Fail): number {
  const v = single(args, fail);
  const parts = [...v.toLowerCase().matchAll(/(\d+)([smhdw]?)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== v.toLowerCase()) {
    return fail(`expected a time in seconds (like 30 or 1m30s), got "${v}"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * timeUnits[p[2]], 0);
}

function strict(args: string[], fail: Fail): SshValues['strictHostKeyChecking'] {
  const v = single(args, fail).toLowerCase();
  // ask needs a human at a prompt: refuse like yes; off is ssh's synonym of no
  const mapped = ({ yes: 'yes', ask: 'yes', no: 'no', off: 'no', 'accept-new': 'accept-new' } as const)[v];
  return mapped ?? fail(`expected yes, no, accept-new, ask or off, got "${v}"`);
}

/** Keyed by the lowercased keyword: ssh_config keywords are case-insensitive. */
const parsers: Record<string, Parse> = {
  hostname: (a, f) => ({ name: 'hostname', value: single(a, f) }),
  port: (a, f) => ({ name: 'port', value: port(a, f) }),
  user: (a, f) => ({ name: 'user', value: single(a, f) }),
  identityfile: (a, f) => ({ name: 'identityFile', value: single(a, f) }),
  identitiesonly: (a, f) => ({ name: 'identitiesOnly', value: yesNo(a, f) }),
  // ForwardAgent may also name a socket path or $ENV (OpenSSH 8.2+): anything but no means forwarding
  forwardagent: (a, f) => ({ name: 'forwardAgent', value: !/^(no|false)$/i.test(single(a, f)) }),
  proxyjump: (a, f) => ({ name: 'proxyJump', value: single(a, f) }),
  userknownhostsfile: (a, f) => ({ name: 'userKnownHostsFile', value: a.length ? a : f('missing argument') }),
  stricthostkeychecking: (a, f) => ({ name: 'strictHostKeyChecking', value: strict(a, f) }),
  connecttimeout: (a, f) => ({ name: 'connectTimeout', value: seconds(a, f) }),
  serveraliveinterval: (a, f) => ({ name: 'serverAliveInterval', value: seconds(a, f) }),
  serveralivecountmax: (a, f) => ({ name: 'serverAliveCountMax', value: integer(a, f) }),
  hostkeyalias: (a, f) => ({ name: 'hostKeyAlias', value: single(a, f) }),
};

/** The typed setting of one config line, or undefined for a keyword Runbook does not use. */
export function parseSshOption(keyword: string, args: string[], fail: Fail): SshSetting | undefined {
  return parsers[keyword.toLowerCase()]?.(args, fail);
}
