/**
 * `letsencrypt.certificate`: a certificate from an ACME server for these names, obtained by certbot
 * through the webroot method. Facts: the live certificate's SAN names, end date and whether it outlives
 * the renewal window (openssl), and the ACME server and key type of its renewal config. A certificate
 * that covers every name, comes from the wanted server with the wanted key type and does not expire
 * within 30 days is a no-op; otherwise one `certbot certonly` obtains, expands or replaces it.
 */
import { changes, defineTask, errors, noop, quote, type Command, type FactRequest, type Plan, type TaskType } from '@runbook/core';
import { CERT_NAME, dnsName } from './letsencrypt-options.js';

export interface CertificateOptions {
  /**
   * certbot's certificate name (/etc/letsencrypt/live/<certName>/).
   * @example 'shop.example.com'
   */
  certName: string;
  /**
   * Names the certificate must cover.
   * @example ['shop.example.com', 'www.shop.example.com']
   */
  names: string[];
  /**
   * Directory nginx serves /.well-known/acme-challenge/ from.
   * @example '/var/www/letsencrypt'
   */
  webroot: string;
  /**
   * ACME account contact.
   * @example 'ops@shop.example.com'
   */
  email: string;
  /**
   * ACME directory URL.
   * @example 'https://acme-v02.api.letsencrypt.org/directory'
   */
  server: string;
  /**
   * @default 'ecdsa'
   * @example 'rsa'
   */
  keyType?: 'ecdsa' | 'rsa';
  /**
   * A CA bundle file on the host for the ACME server's https (REQUESTS_CA_BUNDLE).
   * @default undefined
   * @example '/etc/letsencrypt/runbook-acme-ca.pem'
   */
  caBundleFile?: string;
  /**
   * Renew when the certificate expires within this many days.
   * @default 30
   * @example 20
   */
  renewBeforeDays?: number;
}

/** What the host has for this certificate name. */
export interface CertificateFacts {
  /** `unknown`: the files are there but openssl is missing or cannot read them */
  state: 'absent' | 'present' | 'unknown';
  /** DNS names of the subjectAltName */
  names: string[];
  /** `notAfter` as openssl prints it */
  notAfter?: string;
  /** does not expire within the renewal window */
  fresh: boolean;
  /** from /etc/letsencrypt/renewal/<name>.conf */
  server?: string;
  keyType?: string;
}

export interface CertificateState {
  /** a lineage exists: certbot must replace it (--force-renewal) */
  replace: boolean;
}

const live = (o: CertificateOptions) => `/etc/letsencrypt/live/${o.certName}`;
const DAY = 86400;

/** One fact: the live files, openssl's view of the certificate, and the renewal config's server/key type. */
export function certificateFact(o: CertificateOptions): FactRequest<CertificateFacts> {
  const dir = quote(live(o));
  const conf = quote(`/etc/letsencrypt/renewal/${o.certName}.conf`);
  const seconds = (o.renewBeforeDays ?? 30) * DAY;
  return {
    command: [
      `d=${dir}`,
      'if [ ! -e "$d/fullchain.pem" ] || [ ! -e "$d/privkey.pem" ]; then echo state=absent; exit 0; fi',
      'if ! command -v openssl >/dev/null 2>&1 || ! openssl x509 -in "$d/fullchain.pem" -noout -enddate -ext subjectAltName 2>/dev/null; then echo state=unknown; exit 0; fi',
      'echo state=present',
      `if openssl x509 -in "$d/fullchain.pem" -noout -checkend ${seconds} >/dev/null 2>&1; then echo fresh=yes; else echo fresh=no; fi`,
      `if [ -f ${conf} ]; then sed -n -e 's/^server *= *\\(.*\\)$/server=\\1/p' -e 's/^key_type *= *\\(.*\\)$/key_type=\\1/p' ${conf}; fi`,
    ].join('\n'),
    parse: (out) => parseCertificate(out.stdout),
  };
}

/** Parses the fact's output (openssl's `-enddate -ext subjectAltName`, then key=value lines). */
export function parseCertificate(stdout: string): CertificateFacts {
  const f: CertificateFacts = { state: 'absent', names: [], fresh: false };
  for (const line of stdout.split('\n')) {
    const l = line.trim();
    const kv = /^(state|fresh|server|key_type|notAfter)=(.*)$/.exec(l);
    if (kv) {
      const [, k, v] = kv;
      if (k === 'state') {
        if (v !== 'absent' && v !== 'present' && v !== 'unknown') throw errors.fact(`letsencrypt.certificate: unexpected state ${v}`);
        f.state = v;
      } else if (k === 'fresh') f.fresh = v === 'yes';
      else if (k === 'server') f.server = v.trim();
      else if (k === 'key_type') f.keyType = v.trim();
      else f.notAfter = v.trim();
    } else if (/(^|,\s*)DNS:/.test(l)) {
      for (const entry of l.split(',')) {
        const m = /^\s*DNS:(\S+)\s*$/.exec(entry);
        if (m) f.names.push(m[1].toLowerCase());
      }
    }
  }
  return f;
}

/** Pure: obtain, expand, replace or renew, or why nothing is needed. */
export function checkCertificate(f: CertificateFacts, o: CertificateOptions): Plan<CertificateState> {
  const names = o.names.map((n) => n.toLowerCase());
  const keyType = o.keyType ?? 'ecdsa';
  const days = o.renewBeforeDays ?? 30;
  if (f.state === 'absent') return changes([`obtain ${o.certName} for ${names.join(', ')} from ${o.server}`], { state: { replace: false } });
  if (f.state === 'unknown') return changes([`replace ${o.certName}: its certificate cannot be read (openssl missing or a broken file)`], { state: { replace: true } });
  const list: string[] = [];
  const missing = names.filter((n) => !f.names.includes(n));
  if (missing.length) list.push(`expand ${o.certName}: add ${missing.join(', ')}`);
  if (f.server !== undefined && f.server !== o.server) list.push(`replace ${o.certName}: issued by ${f.server}, want ${o.server}`);
  if (f.keyType !== undefined && f.keyType !== keyType) list.push(`replace ${o.certName}: key type ${f.keyType} → ${keyType}`);
  if (!f.fresh) list.push(`renew ${o.certName}: expires ${f.notAfter ?? '(unknown)'}, within ${days} days`);
  if (list.length) return changes(list, { state: { replace: true } });
  return noop(`${o.certName} covers ${names.join(', ')}, valid until ${f.notAfter} (more than ${days} days)`);
}

/** The certbot command line (argv). */
export function certbotArgs(o: CertificateOptions, s: CertificateState): string[] {
  return [
    'certbot', 'certonly', '--non-interactive', '--agree-tos', '--no-eff-email', '--email', o.email,
    '--webroot', '--webroot-path', o.webroot, '--cert-name', o.certName, '--server', o.server,
    '--key-type', o.keyType ?? 'ecdsa', '--expand', ...(s.replace ? ['--force-renewal'] : []),
    ...o.names.flatMap((n) => ['-d', n.toLowerCase()]),
  ];
}

export const certificateType: TaskType<CertificateOptions, { cert: CertificateFacts }, CertificateState> = {
  name: 'letsencrypt.certificate',
  describe: (o) => `${live(o)} (${o.names.join(', ')})`,
  validate(o) {
    if (!o || typeof o !== 'object') throw errors.options('options: expected an object');
    if (typeof o.certName !== 'string' || !CERT_NAME.test(o.certName)) throw errors.options(`certName: expected letters, digits, _ . -, got ${JSON.stringify(o.certName)}`, { key: 'certName' });
    if (!Array.isArray(o.names) || !o.names.length) throw errors.options('names: expected at least one DNS name', { key: 'names' });
    o.names.forEach((n, i) => dnsName(`names[${i}]`, n));
    for (const key of ['webroot', 'email', 'server'] as const) {
      if (typeof o[key] !== 'string' || !o[key]) throw errors.options(`${key}: expected a non-empty string`, { key });
    }
    if (o.caBundleFile !== undefined && (typeof o.caBundleFile !== 'string' || !o.caBundleFile.startsWith('/'))) {
      throw errors.options(`caBundleFile: expected an absolute path, got ${JSON.stringify(o.caBundleFile)}`, { key: 'caBundleFile' });
    }
    if (o.renewBeforeDays !== undefined && (!Number.isInteger(o.renewBeforeDays) || o.renewBeforeDays < 1 || o.renewBeforeDays > 89)) {
      throw errors.options(`renewBeforeDays: expected whole days from 1 to 89, got ${JSON.stringify(o.renewBeforeDays)}`, { key: 'renewBeforeDays' });
    }
  },
  facts: (o) => ({ cert: certificateFact(o) }),
  check: (f, o) => checkCertificate(f.cert, o),
  apply: (plan, o): Command[] => {
    const argv = certbotArgs(o, plan.state!);
    const env = o.caBundleFile ? `REQUESTS_CA_BUNDLE=${quote(o.caBundleFile)} ` : '';
    return [{ script: `mkdir -p -- ${quote(o.webroot)}\n${env}${argv.map((w) => quote(w)).join(' ')}`, display: argv.join(' ') }];
  },
};

/**
 * A certificate for these names through certbot's webroot method (nginx must serve the webroot).
 * @example certificate({ certName: 'shop', names: ['shop.example.com'], webroot: '/var/www/letsencrypt', email: 'ops@shop.example.com', server: LETSENCRYPT_PRODUCTION })
 */
export const certificate = defineTask(certificateType);
