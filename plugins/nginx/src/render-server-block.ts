/**
 * The server block nginx serves the site with, rendered from the finished site model: pure, so every
 * combination (proxy or uwsgi, static locations, auth with exemptions, ACME, TLS) is a table test.
 */
import { errors, type SiteModel, type StaticLocation, type Upstream } from '@runbook/core';

export interface ServerBlockOptions {
  /**
   * `client_max_body_size` of the server.
   * @default '10m'
   * @example '100m'
   */
  clientMaxBodySize?: string;
  /**
   * Raw lines added at the end of the (main) server block, as nginx reads them.
   * @default []
   * @example ['gzip on;', 'gzip_types text/css application/javascript;']
   */
  extraConfig?: string[];
  /**
   * Don't log requests for /favicon.ico and /robots.txt (nor their 404s).
   * @default true
   * @example false
   */
  quietFavicon?: boolean;
  /**
   * Make this the `default_server` of its ports (it then answers requests for any host name).
   * @default false
   * @example true
   */
  defaultServer?: boolean;
  /**
   * Also listen on IPv6 (`listen [::]:80`).
   * @default true
   * @example false
   */
  ipv6?: boolean;
}

export const ACME_PATH = '/.well-known/acme-challenge/';

// a value nginx reads as one token without quotes; everything else is double-quoted
const BARE = /^[A-Za-z0-9_\/.:~@%+=,*-]+$/;

/** A value as one nginx token; `$` (variables), control characters and quotes are refused. */
export function nginxValue(key: string, value: string): string {
  if (typeof value !== 'string' || value === '' || /[\0-\x1f\x7f$"\\]/.test(value)) {
    throw errors.options(`${key}: ${JSON.stringify(value)} cannot be written safely into an nginx config (no $, quotes, backslashes or control characters)`, { key });
  }
  return BARE.test(value) ? value : `"${value}"`;
}

/** A URL path for a location: starts with `/`, no whitespace or nginx syntax. */
export function locationPath(key: string, path: string): string {
  if (typeof path !== 'string' || !/^\/[^\s{};"'$\\#]*$/.test(path)) {
    throw errors.options(`${key}: expected a URL path starting with / (no spaces, quotes, {};#$), got ${JSON.stringify(path)}`, { key });
  }
  return path;
}

const block = (head: string, body: string[], indent = '    '): string[] => [
  `${indent}${head} {`,
  ...body.map((l) => `${indent}    ${l}`),
  `${indent}}`,
];

/** The directives that hand a request to the app. */
export function upstreamPass(upstream: Upstream): string[] {
  const address = upstream.address;
  if (typeof address !== 'string' || !/^(?:unix:\/[A-Za-z0-9_\/.@%+=,~-]+|[A-Za-z0-9.-]+:\d+|\[[0-9a-fA-F:.]+\]:\d+)$/.test(address)) {
    throw errors.options(`upstream.address: expected 'unix:/path/to.sock' or 'host:port', got ${JSON.stringify(address)}`, { key: 'upstream.address' });
  }
  if (upstream.protocol === 'uwsgi') return ['include uwsgi_params;', `uwsgi_pass ${address};`];
  if (upstream.protocol === 'http') return ['include proxy_params;', `proxy_pass http://${address};`];
  throw errors.options(`upstream.protocol: expected 'http' or 'uwsgi', got ${JSON.stringify((upstream as Upstream).protocol)}`, { key: 'upstream.protocol' });
}

function staticLocation(loc: StaticLocation, authOff: boolean): string[] {
  const path = locationPath('staticLocations.path', loc.path);
  const alias = loc.alias.endsWith('/') || !path.endsWith('/') ? loc.alias : `${loc.alias}/`;
  const body = [`alias ${nginxValue('staticLocations.alias', alias)};`];
  if (loc.maxAge !== undefined) {
    if (!Number.isInteger(loc.maxAge) || loc.maxAge < 0) throw errors.options(`staticLocations.maxAge: expected whole seconds, got ${loc.maxAge}`, { key: 'staticLocations.maxAge' });
    body.push(`expires ${loc.maxAge}s;`);
  }
  if (authOff) body.push('auth_basic off;');
  return block(`location ${path}`, body);
}

function listens(port: 80 | 443, o: ServerBlockOptions): string[] {
  const suffix = `${port === 443 ? ' ssl' : ''}${o.defaultServer ? ' default_server' : ''}`;
  return [`listen ${port}${suffix};`, ...(o.ipv6 === false ? [] : [`listen [::]:${port}${suffix};`])];
}

const serverName = (site: SiteModel): string =>
  `server_name ${site.serverNames.map((n) => nginxValue('serverNames', n)).join(' ') || '_'};`;

function acmeLocation(site: SiteModel, authOn: boolean): string[] {
  if (!site.acmeWebroot) return [];
  return block(`location ^~ ${ACME_PATH}`, [`root ${nginxValue('acmeWebroot', site.acmeWebroot)};`, ...(authOn ? ['auth_basic off;'] : [])]);
}

/** Locations and settings of the server that serves the site (port 80, or 443 with TLS). */
function siteBody(site: SiteModel, o: ServerBlockOptions): string[] {
  const auth = site.auth;
  // the health check passes the wall even when basic-auth came before the plugin that set healthPath
  const exempt = new Set(auth ? [...auth.exempt, site.healthPath] : []);
  const lines = [`client_max_body_size ${nginxValue('clientMaxBodySize', o.clientMaxBodySize ?? '10m')};`];
  if (site.tls?.hsts !== undefined) lines.push(`add_header Strict-Transport-Security "max-age=${Math.trunc(site.tls.hsts)}" always;`);
  if (auth) {
    nginxValue('auth.realm', auth.realm);
    lines.push(`auth_basic "${auth.realm}";`);
    lines.push(`auth_basic_user_file ${nginxValue('auth.userFile', auth.userFile)};`);
  }
  const out = lines.map((l) => `    ${l}`);
  out.push('', ...acmeLocation(site, Boolean(auth)));
  if (o.quietFavicon !== false) {
    for (const f of ['/favicon.ico', '/robots.txt']) out.push(`    location = ${f} { access_log off; log_not_found off; }`);
  }
  const staticPaths = new Set<string>();
  for (const loc of site.staticLocations) {
    if (staticPaths.has(loc.path)) throw errors.options(`staticLocations: ${loc.path} is listed twice`, { key: 'staticLocations' });
    staticPaths.add(loc.path);
    out.push(...staticLocation(loc, exempt.has(loc.path)));
  }
  const pass = site.upstream ? upstreamPass(site.upstream) : ['return 404;'];
  // exempt paths that are neither the ACME path nor a static location: open, same upstream
  for (const path of exempt) {
    if (path === ACME_PATH || staticPaths.has(path)) continue;
    out.push(...block(`location = ${locationPath('auth.exempt', path)}`, ['auth_basic off;', ...pass]));
  }
  out.push(...block('location /', pass));
  for (const line of o.extraConfig ?? []) {
    if (typeof line !== 'string' || line.includes('\n')) throw errors.options(`extraConfig: expected single lines, got ${JSON.stringify(line)}`, { key: 'extraConfig' });
    out.push(`    ${line}`);
  }
  return out;
}

/** The whole file for sites-available: one server, or with TLS a redirecting port-80 server plus 443. */
export function renderServerBlock(site: SiteModel, options: ServerBlockOptions = {}): string {
  const out = ['# Managed by Runbook (@runbook/nginx); local changes are overwritten.'];
  const tls = site.tls;
  if (tls && tls.redirect !== false) {
    out.push('server {', ...listens(80, options).map((l) => `    ${l}`), `    ${serverName(site)}`, '');
    out.push(...acmeLocation(site, false));
    out.push(...block('location /', ['return 301 https://$host$request_uri;']), '}', '');
  }
  out.push('server {');
  if (!tls || tls.redirect === false) out.push(...listens(80, options).map((l) => `    ${l}`));
  if (tls) {
    out.push(...listens(443, options).map((l) => `    ${l}`));
  }
  out.push(`    ${serverName(site)}`);
  if (tls) {
    out.push(`    ssl_certificate ${nginxValue('tls.certificate', tls.certificate)};`);
    out.push(`    ssl_certificate_key ${nginxValue('tls.key', tls.key)};`);
  }
  out.push(...siteBody(site, options), '}');
  return out.join('\n') + '\n';
}
