/**
 * The server plugin's options, their defaults and their validation. Validation runs when the plugin
 * is made (in runbook.config.ts), before anything connects: a bad value is an E_OPTIONS error that names
 * the key and what was expected.
 */
import { errors, type PlacementOptions } from '@runbook/core';

/** One extra port the firewall lets in. */
export interface AllowRule {
  /**
   * A port or a range `from:to`.
   * @example 5432
   * @example '6000:6010'
   */
  port: number | string;
  /** @default 'tcp' */
  proto?: 'tcp' | 'udp';
  /**
   * Only from this address or network (IPv4/IPv6, CIDR). Unset: from anywhere.
   * @example '10.0.0.0/8'
   */
  from?: string;
}

/** `on` (inherited) places the plugin on inventory groups or hosts: `server({ on: 'web' })`. */
export interface ServerOptions extends PlacementOptions {
  /**
   * The ufw firewall: incoming denied by default; the ssh port this run connects on is always allowed,
   * 80/443 when nginx runs on the host, plus `allow`. Rules not in this list are removed. `false`: leave
   * the firewall alone.
   * @default {}
   * @example { allow: [{ port: 5432, from: '10.0.0.0/8' }] }
   */
  firewall?: false | {
    /** @default [] */
    allow?: AllowRule[];
    /**
     * Allow 80/tcp and 443/tcp. Unset: when the nginx plugin is placed on the host.
     * @default undefined
     */
    web?: boolean;
  };
  /**
   * SSH hardening in a drop-in (/etc/ssh/sshd_config.d/00-runbook.conf): no password logins; root login
   * `no` when the run logs in as another (sudo) user, `prohibit-password` (keys only) when it logs in as
   * root. `false`: leave sshd alone.
   * @default {}
   * @example { rootLogin: 'prohibit-password' }
   */
  ssh?: false | {
    /** @default 'no', or 'prohibit-password' when the login user is root */
    rootLogin?: 'no' | 'prohibit-password';
  };
  /**
   * Unattended security upgrades (the unattended-upgrades package, run daily by apt).
   * @default true
   */
  upgrades?: boolean;
  /**
   * A swap file on hosts with less memory than `belowMemory`. Off unless set.
   * @default false
   * @example { size: '2G' }
   * @example { size: '1G', belowMemory: '4G', path: '/swap.img' }
   */
  swap?: false | {
    /** size of the file: a number with M or G */
    size: string;
    /** @default '2G' */
    belowMemory?: string;
    /** @default '/swapfile' */
    path?: string;
  };
  /**
   * The time zone (/etc/localtime and /etc/timezone). Unset: leave it.
   * @default undefined
   * @example 'Europe/Berlin'
   */
  timezone?: string;
  /**
   * The host name. Unset: the host's inventory alias, when that is a valid host name (not an IP address);
   * `false`: leave it.
   * @default undefined
   * @example 'web-1.example.com'
   */
  hostname?: string | false;
}

export interface ResolvedRule { port: string; proto: 'tcp' | 'udp'; from?: string }

/** Options with every default applied (those that depend on the host are resolved per host). */
export interface ResolvedServerOptions {
  firewall: false | { allow: ResolvedRule[]; web?: boolean };
  ssh: false | { rootLogin?: 'no' | 'prohibit-password' };
  upgrades: boolean;
  swap: false | { size: number; belowMemory: number; path: string };
  timezone?: string;
  hostname?: string | false;
}

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`server: ${key} must be ${expected}, got ${JSON.stringify(got)}`, { key });
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

const HOST_LABEL = '[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
/** RFC 1123 host name (labels of letters, digits and inner hyphens), not an IPv4 address */
export const isHostname = (s: string): boolean =>
  s.length <= 253 && new RegExp(`^${HOST_LABEL}(\\.${HOST_LABEL})*$`).test(s) && !/^[0-9.]+$/.test(s);

/** '512M', '2G' → bytes; undefined when not such a size */
export function parseSize(s: unknown): number | undefined {
  const m = typeof s === 'string' ? /^([1-9][0-9]*)([MG])$/.exec(s) : null;
  return m ? Number(m[1]) * 1024 ** (m[2] === 'G' ? 3 : 2) : undefined;
}

const ADDRESS = /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(\/[0-9]{1,3})?$/;

/**
 * The source as ufw stores (and `ufw show added` prints) it, so a rule compares equal on the next run:
 * an IPv4 network's host bits cleared (`10.0.0.1/8` → `10.0.0.0/8`), a single address without `/32`
 * (`/128` for IPv6). Undefined for an IPv4 address or prefix that is out of range.
 */
export function normalizeFrom(from: string): string | undefined {
  const [addr, bits] = from.split('/');
  if (addr.includes(':')) return bits === '128' ? addr : bits !== undefined && Number(bits) > 128 ? undefined : from;
  const octets = addr.split('.').map(Number);
  const prefix = bits === undefined ? 32 : Number(bits);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  if (prefix === 32) return addr;
  const n = octets.reduce((a, o) => a * 256 + o, 0);
  const net = prefix === 0 ? 0 : n - (n % 2 ** (32 - prefix));
  return `${[24, 16, 8, 0].map((sh) => Math.floor(net / 2 ** sh) % 256).join('.')}/${prefix}`;
}

function resolveRule(r: unknown, i: number): ResolvedRule {
  const key = `firewall.allow[${i}]`;
  if (!isObject(r)) return bad(key, 'an object { port, proto?, from? }', r);
  const port = String(r.port);
  const ports = /^([0-9]+)(:([0-9]+))?$/.exec(port);
  const inRange = (p?: string) => p === undefined || (Number(p) >= 1 && Number(p) <= 65535);
  if (!ports || !inRange(ports[1]) || !inRange(ports[3]) || (ports[3] && Number(ports[3]) <= Number(ports[1]))) {
    bad(`${key}.port`, 'a port 1–65535 or a range like "6000:6010"', r.port);
  }
  const proto = r.proto ?? 'tcp';
  if (proto !== 'tcp' && proto !== 'udp') bad(`${key}.proto`, '"tcp" or "udp"', r.proto);
  const from = r.from === undefined ? undefined
    : (typeof r.from === 'string' && ADDRESS.test(r.from) && normalizeFrom(r.from)) || bad(`${key}.from`, 'an IP address or network like "10.0.0.0/8"', r.from);
  return { port, proto: proto as 'tcp' | 'udp', ...(from !== undefined ? { from } : {}) };
}

function resolveFirewall(f: unknown): ResolvedServerOptions['firewall'] {
  if (f === false) return false;
  if (!isObject(f)) return bad('firewall', 'false or an object { allow?, web? }', f);
  if (f.allow !== undefined && !Array.isArray(f.allow)) bad('firewall.allow', 'an array of { port, proto?, from? }', f.allow);
  if (f.web !== undefined && typeof f.web !== 'boolean') bad('firewall.web', 'true or false', f.web);
  return { allow: ((f.allow as unknown[]) ?? []).map(resolveRule), ...(f.web !== undefined ? { web: f.web as boolean } : {}) };
}

function resolveSwap(s: unknown): ResolvedServerOptions['swap'] {
  if (s === false || s === undefined) return false;
  if (!isObject(s)) return bad('swap', 'false or an object { size, belowMemory?, path? }', s);
  const size = parseSize(s.size) ?? bad('swap.size', 'a size like "512M" or "2G"', s.size);
  const belowMemory = parseSize(s.belowMemory ?? '2G') ?? bad('swap.belowMemory', 'a size like "2G"', s.belowMemory);
  const path = s.path ?? '/swapfile';
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._/-]+$/.test(path) || path.endsWith('/')) bad('swap.path', 'an absolute file path (letters, digits, . _ - /)', s.path);
  return { size, belowMemory, path: path as string };
}

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveServerOptions(o: ServerOptions = {}): ResolvedServerOptions {
  if (!isObject(o)) bad('options', 'an object', o);
  const ssh = o.ssh ?? {};
  if (ssh !== false && !isObject(ssh)) bad('ssh', 'false or an object { rootLogin? }', o.ssh);
  if (ssh && ssh.rootLogin !== undefined && ssh.rootLogin !== 'no' && ssh.rootLogin !== 'prohibit-password') bad('ssh.rootLogin', '"no" or "prohibit-password"', ssh.rootLogin);
  const upgrades = o.upgrades ?? true;
  if (typeof upgrades !== 'boolean') bad('upgrades', 'true or false', o.upgrades);
  if (o.timezone !== undefined && (typeof o.timezone !== 'string' || !/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(o.timezone))) {
    bad('timezone', 'a zone name like "Europe/Berlin" or "Etc/UTC"', o.timezone);
  }
  if (o.hostname !== undefined && o.hostname !== false && (typeof o.hostname !== 'string' || !isHostname(o.hostname))) {
    bad('hostname', 'false or a host name (letters, digits, hyphens; dots between labels)', o.hostname);
  }
  return {
    firewall: resolveFirewall(o.firewall ?? {}),
    ssh: ssh === false ? false : { ...(ssh.rootLogin ? { rootLogin: ssh.rootLogin } : {}) },
    upgrades,
    swap: resolveSwap(o.swap),
    ...(o.timezone !== undefined ? { timezone: o.timezone } : {}),
    ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
  };
}
