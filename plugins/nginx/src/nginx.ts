/**
 * The nginx plugin: installs nginx and serves the site from one server block rendered from the site
 * model (upstream from gunicorn/uwsgi, static locations, TLS and ACME from letsencrypt, auth from
 * basic-auth). The block changes only through `nginx.site`, gated by `nginx -t`; nginx reloads only
 * when something changed.
 */
import { checkOptionKeys, claim, definePlugin, optionKeys, placeable, errors, type PluginContext, type SiteModel, type StaticLocation, type Task, type PlacementOptions, type PluginWith } from '@runbook/core';
import { apt, command, systemdUnit } from '@runbook/system';
import { nginxSite } from './nginx-site.js';
import { locationPath, renderServerBlock, type ServerBlockOptions } from './render-server-block.js';

export interface NginxOptions extends ServerBlockOptions, PlacementOptions {
  /**
   * Name of the server block file in sites-available / sites-enabled.
   * @default site.app?.name ?? 'site'
   * @example 'shop'
   */
  siteName?: string;
  /**
   * `server_name` values; replace the site model's (which default to the host's hostname).
   * @default site.serverNames
   * @example ['shop.example.com', 'www.shop.example.com']
   */
  serverNames?: string[];
  /**
   * Remove Debian's `default` site from sites-enabled (the file in sites-available stays).
   * @default true
   * @example false
   */
  removeDefaultSite?: boolean;
  /**
   * Extra locations served from disk, e.g. a built docs site.
   * @default []
   * @example [{ path: '/docs/', alias: '/srv/docs/' }]
   */
  locations?: StaticLocation[];
}

/** The handler the plugin's tasks notify. */
export const RELOAD_NGINX = 'reload nginx';
/**
 * A handler that rewrites the server block (same task as in configure): notified by a plugin that made
 * the site's TLS certificate exist (letsencrypt), so the first configure ends with the TLS site. It runs
 * before `reload nginx` (declaration order).
 */
export const UPDATE_NGINX_SITE = 'update nginx site';
export const STATIC_MAX_AGE = 30 * 24 * 3600;

export const siteNameOf = (site: SiteModel, o: NginxOptions): string => o.siteName ?? site.app?.name ?? 'site';

/** The plugin's part of the site model. */
export function contributeNginx(site: SiteModel, o: NginxOptions): void {
  if (o.serverNames) site.serverNames = [...o.serverNames];
  // only when the app serves its own static files: s3-static (listed before nginx) sets another staticUrl
  if (site.app && site.staticUrl === '/static/' && !site.staticLocations.some((l) => l.path === '/static/')) {
    site.staticLocations.push({ path: '/static/', alias: `${site.app.staticRoot.replace(/\/+$/, '')}/`, maxAge: STATIC_MAX_AGE });
  }
  for (const loc of o.locations ?? []) {
    const i = site.staticLocations.findIndex((l) => l.path === loc.path);
    if (i >= 0) site.staticLocations[i] = { ...loc };
    else site.staticLocations.push({ ...loc });
  }
  // two apps on one host need server blocks of their own, answering to names of their own
  claim(site, 'nginx', `nginx site ${siteNameOf(site, o)}`, ...site.serverNames.map((n) => `server name ${n}`), ...(o.defaultServer ? ['the nginx default_server'] : []));
}

/**
 * The gated server block. With TLS, the version without TLS (port 80 only, the ACME path served) stands
 * in while the certificate or key file is missing on the host: nginx -t refuses a missing certificate.
 */
export function nginxSiteTask(site: SiteModel, o: NginxOptions): Task {
  const tls = site.tls;
  return nginxSite({
    name: siteNameOf(site, o),
    content: renderServerBlock(site, o),
    ...(tls ? { pending: { paths: [tls.certificate, tls.key], content: renderServerBlock({ ...site, tls: undefined }, o) } } : {}),
    notify: RELOAD_NGINX,
  });
}

/** The configure tasks: package, default site off, the gated server block, nginx running. */
export function nginxConfigureTasks(ctx: Pick<PluginContext, 'site'>, o: NginxOptions): Task[] {
  const tasks: Task[] = [apt({ packages: ['nginx'] })];
  if (o.removeDefaultSite !== false) {
    tasks.push(command({
      title: 'remove the default site from /etc/nginx/sites-enabled',
      run: ['rm', '-f', '--', '/etc/nginx/sites-enabled/default'],
      // a dangling link counts too
      onlyIf: '[ -e /etc/nginx/sites-enabled/default ] || [ -L /etc/nginx/sites-enabled/default ]',
      notify: RELOAD_NGINX,
    }));
  }
  tasks.push(
    nginxSiteTask(ctx.site, o),
    systemdUnit({ name: 'nginx.service', enabled: true, state: 'started' }),
  );
  return tasks;
}

const KEYS = optionKeys<NginxOptions>({
  on: true, siteName: true, serverNames: true, removeDefaultSite: true, locations: true,
  clientMaxBodySize: true, extraConfig: true, quietFavicon: true, defaultServer: true, ipv6: true,
});
const LOCATION_KEYS = optionKeys<StaticLocation>({ path: true, alias: true, maxAge: true });

function validate(o: NginxOptions): void {
  if (!o || typeof o !== 'object') throw errors.options('nginx: options must be an object');
  checkOptionKeys('nginx', o, KEYS);
  if (o.serverNames !== undefined && (!Array.isArray(o.serverNames) || o.serverNames.some((n) => typeof n !== 'string' || !n))) {
    throw errors.options('nginx: serverNames: expected a list of host names', { key: 'serverNames' });
  }
  for (const [i, loc] of (o.locations ?? []).entries()) {
    checkOptionKeys('nginx', loc, LOCATION_KEYS, `locations[${i}]`);
    locationPath(`nginx: locations[${i}].path`, loc?.path);
    if (typeof loc.alias !== 'string' || !loc.alias.startsWith('/')) {
      throw errors.options(`nginx: locations[${i}].alias: expected an absolute directory, got ${JSON.stringify(loc.alias)}`, { key: `locations[${i}].alias` });
    }
  }
}

/**
 * Serve the site with nginx.
 * @example nginx({ serverNames: ['shop.example.com'], locations: [{ path: '/docs/', alias: '/srv/docs/' }] })
 */
export function nginx(options: NginxOptions = {}): PluginWith<'contribute' | 'configure' | 'handlers'> {
  validate(options);
  return placeable(nginx, options, definePlugin({
    name: 'nginx',
    contribute: (site: SiteModel) => contributeNginx(site, options),
    configure: (ctx: PluginContext) => nginxConfigureTasks(ctx, options),
    handlers: (ctx: PluginContext) => ({
      [UPDATE_NGINX_SITE]: nginxSiteTask(ctx.site, options),
      [RELOAD_NGINX]: systemdUnit({ name: 'nginx.service', state: 'reloaded' }),
    }),
  }));
}
