/** The letsencrypt plugin's options, their defaults and their validation (before anything connects). */
import { checkOptionKeys, errors, optionKeys, type PlacementOptions } from '@runbook/core';

export const LETSENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';
export const LETSENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';
/** a year: what HSTS preload lists ask for */
export const HSTS_YEAR = 31536000;

export interface LetsencryptOptions extends PlacementOptions {
  /**
   * Contact address for the ACME account (expiry and problem notices).
   * @example 'ops@shop.example.com'
   */
  email: string;
  /**
   * The ACME directory: `'production'` (Let's Encrypt), `'staging'` (Let's Encrypt's staging, untrusted
   * certificates, generous rate limits) or the directory URL of any ACME server.
   * @default 'production'
   * @example 'staging'
   * @example 'https://acme.internal.example.com/directory'
   */
  server?: 'production' | 'staging' | (string & {});
  /**
   * CA certificate(s) that the ACME server's https certificate chains to, for a private ACME server:
   * PEM content (written to /etc/letsencrypt/runbook-acme-ca.pem) or the absolute path of a file already
   * on the host. Given to certbot as REQUESTS_CA_BUNDLE, in the configure run and, through a drop-in
   * for certbot.service, in the renewal timer's runs.
   * @default undefined (the system's trust store)
   * @example '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n'
   * @example '/usr/local/share/ca-certificates/internal-ca.crt'
   */
  caBundle?: string;
  /**
   * Key type of the certificate.
   * @default 'ecdsa'
   * @example 'rsa'
   */
  keyType?: 'ecdsa' | 'rsa';
  /**
   * Names the certificate covers besides the site's server names; they are added to `server_name` too.
   * @default []
   * @example ['www.shop.example.com']
   */
  extraNames?: string[];
  /**
   * Redirect http to https (the ACME challenge path stays on http).
   * @default true
   * @example false
   */
  redirect?: boolean;
  /**
   * Strict-Transport-Security: `true` for a max-age of one year, or the max-age in seconds. Once browsers
   * saw it they refuse plain http for that long: turn it on when https works.
   * @default false
   * @example true
   * @example 86400
   */
  hsts?: boolean | number;
  /**
   * certbot's certificate name: /etc/letsencrypt/live/<certName>/.
   * @default the site's first server name
   * @example 'shop'
   */
  certName?: string;
  /**
   * Directory nginx serves /.well-known/acme-challenge/ from (certbot's `--webroot-path`).
   * @default '/var/www/letsencrypt'
   * @example '/srv/acme'
   */
  webroot?: string;
}

export interface ResolvedLetsencryptOptions {
  email: string;
  server: string;
  /** PEM content to write, or a path on the host */
  caBundle?: { content: string } | { path: string };
  keyType: 'ecdsa' | 'rsa';
  extraNames: string[];
  redirect: boolean;
  hsts?: number;
  certName?: string;
  webroot: string;
}

const KEYS = optionKeys<LetsencryptOptions>({
  on: true, email: true, server: true, caBundle: true, keyType: true, extraNames: true, redirect: true, hsts: true, certName: true, webroot: true,
});
const EMAIL = /^[^\s@'"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** a DNS name with at least two labels; no wildcard (http-01 cannot prove one), no IP address */
export const DNS_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);
export const CERT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SAFE_PATH = /^\/[A-Za-z0-9_\/.@%+=,~-]*$/;

export const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`letsencrypt: ${key} must be ${expected}, got ${JSON.stringify(got)}`, { key });
};

/** A name the certificate can cover through http-01, or an E_OPTIONS error naming the key. */
export function dnsName(key: string, name: unknown): string {
  if (typeof name !== 'string' || /^\d+(\.\d+){3}$/.test(name) || !DNS_NAME.test(name)) {
    bad(key, 'a DNS name like shop.example.com (no wildcard, no IP address: http-01 cannot prove those)', name);
  }
  return (name as string).toLowerCase();
}

function serverUrl(v: unknown): string {
  if (v === undefined || v === 'production') return LETSENCRYPT_PRODUCTION;
  if (v === 'staging') return LETSENCRYPT_STAGING;
  if (typeof v === 'string') {
    try {
      const u = new URL(v);
      if ((u.protocol === 'https:' || u.protocol === 'http:') && !/[\s'"\\]/.test(v)) return v;
    } catch {
      // reported below
    }
  }
  return bad('server', `'production', 'staging' or an ACME directory URL (https://…/directory)`, v);
}

function caBundle(v: unknown): ResolvedLetsencryptOptions['caBundle'] {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.trimStart().startsWith('-----BEGIN CERTIFICATE-----') && v.includes('-----END CERTIFICATE-----')) {
    return { content: v.endsWith('\n') ? v : `${v}\n` };
  }
  if (typeof v === 'string' && SAFE_PATH.test(v) && !v.endsWith('/')) return { path: v };
  return bad('caBundle', 'PEM certificates (-----BEGIN CERTIFICATE-----…) or the absolute path of a PEM file on the host', typeof v === 'string' && v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveLetsencryptOptions(o: LetsencryptOptions): ResolvedLetsencryptOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object with at least { email }', o);
  checkOptionKeys('letsencrypt', o, KEYS);
  if (typeof o.email !== 'string' || !EMAIL.test(o.email)) bad('email', 'a contact address like ops@example.com', o.email);
  const keyType = o.keyType ?? 'ecdsa';
  if (keyType !== 'ecdsa' && keyType !== 'rsa') bad('keyType', `'ecdsa' or 'rsa'`, keyType);
  const extra = o.extraNames ?? [];
  if (!Array.isArray(extra)) bad('extraNames', 'a list of DNS names', extra);
  const extraNames = extra.map((n, i) => dnsName(`extraNames[${i}]`, n));
  if (o.redirect !== undefined && typeof o.redirect !== 'boolean') bad('redirect', 'true or false', o.redirect);
  let hsts: number | undefined;
  if (o.hsts === true) hsts = HSTS_YEAR;
  else if (typeof o.hsts === 'number') {
    if (!Number.isInteger(o.hsts) || o.hsts < 0) bad('hsts', 'true, false or a max-age in whole seconds', o.hsts);
    hsts = o.hsts;
  } else if (o.hsts !== undefined && o.hsts !== false) bad('hsts', 'true, false or a max-age in whole seconds', o.hsts);
  if (o.certName !== undefined && (typeof o.certName !== 'string' || !CERT_NAME.test(o.certName))) {
    bad('certName', 'a certificate name (letters, digits, _ . -)', o.certName);
  }
  const webroot = o.webroot ?? '/var/www/letsencrypt';
  if (typeof webroot !== 'string' || !SAFE_PATH.test(webroot) || webroot === '/') bad('webroot', 'an absolute directory path (letters, digits, _ / . @ % + = , ~ -)', webroot);
  return {
    email: o.email,
    server: serverUrl(o.server),
    caBundle: caBundle(o.caBundle),
    keyType,
    extraNames,
    redirect: o.redirect ?? true,
    ...(hsts !== undefined ? { hsts } : {}),
    ...(o.certName !== undefined ? { certName: o.certName } : {}),
    webroot: webroot.replace(/\/+$/, ''),
  };
}
