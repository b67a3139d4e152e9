/**
 * The site model (DESIGN §5): where plugins meet. It is built per host before any task runs: each
 * enabled plugin's `contribute` adds its part, in config order; then every plugin plans its tasks from
 * the finished model. No plugin edits another's files: nginx renders one server block from this model.
 */
import { errors } from './errors.js';
import type { Secret } from './secret.js';

/** The application, contributed by @runbook/app (always first in the plugin list). */
export interface AppModel {
  /** short name: unit names, paths @example 'shop' */
  name: string;
  /** system user the app runs as */
  user: string;
  group: string;
  /** @example '/srv/shop' */
  root: string;
  /** `<root>/current`, a symlink to the live release */
  current: string;
  releases: string;
  shared: string;
  /** `<shared>/.env`, mode 0600, owned by the app user */
  envFile: string;
  /** the virtualenv of the live release: `<current>/.venv` */
  venv: string;
  /** python module of the WSGI callable @example 'shop.wsgi:application' */
  wsgi?: string;
  /** python module of the ASGI callable @example 'shop.asgi:application' */
  asgi?: string;
  /** where collectstatic puts files, served under the static URL @example '/srv/shop/shared/static' */
  staticRoot: string;
}

/** A location nginx serves from disk. */
export interface StaticLocation {
  /** URL prefix @example '/static/' */
  path: string;
  /** directory served for that prefix (nginx `alias`, with a trailing slash) */
  alias: string;
  /** Cache-Control max-age in seconds @default none */
  maxAge?: number;
}

/** Where nginx forwards dynamic requests. */
export interface Upstream {
  /** `http` → proxy_pass, `uwsgi` → uwsgi_pass */
  protocol: 'http' | 'uwsgi';
  /** `unix:/run/gunicorn.sock` or `127.0.0.1:8000` */
  address: string;
  /** the systemd unit that serves it: the deploy's health check answering through it proves it up @example 'gunicorn.service' */
  unit?: string;
}

export interface TlsModel {
  certificate: string;
  key: string;
  /** redirect http to https (except the ACME challenge path) @default true */
  redirect: boolean;
  /** Strict-Transport-Security max-age in seconds; none when unset */
  hsts?: number;
}

export interface AuthModel {
  realm: string;
  /** htpasswd file */
  userFile: string;
  /** paths that stay open (health check, ACME challenge) */
  exempt: string[];
}

/**
 * A Redis-protocol server the app and its workers use as broker/cache, contributed by @runbook/dragonfly;
 * read by @runbook/celery. The same URL is also put into `site.env` (CELERY_BROKER_URL, REDIS_URL).
 */
export interface BrokerModel {
  /** `redis://[:password@]host:port/0`, a Secret when it carries a password */
  url: string | Secret;
  /** the systemd unit serving it on this host (workers order themselves After= it) @example 'dragonfly.service' */
  unit?: string;
}

/** The app's database, contributed by @runbook/postgres; its URL is also `site.env.DATABASE_URL`. */
export interface DatabaseModel {
  /** `postgresql://user:password@host:port/name`, a Secret when it carries a password */
  url: string | Secret;
  /** database name */
  name: string;
  /** role the app connects as */
  user: string;
  /** the systemd unit serving it on this host @example 'postgresql.service' */
  unit?: string;
}

/**
 * A host-wide name a plugin of a site uses: a systemd unit, a listening socket, an nginx server block or
 * server name, the default_server. Two sites (apps) on one host may not use the same one.
 */
export interface SiteClaim {
  /** what, in words @example 'unit gunicorn.service' */
  name: string;
  /** the plugin that uses it */
  by: string;
}

export interface SiteModel {
  /** nginx server_name values; the host's hostname when none are given */
  serverNames: string[];
  app?: AppModel;
  upstream?: Upstream;
  staticLocations: StaticLocation[];
  /** the URL the app uses for static files: a path, a bucket or CDN URL @default '/static/' */
  staticUrl: string;
  tls?: TlsModel;
  /** directory served at /.well-known/acme-challenge/ */
  acmeWebroot?: string;
  auth?: AuthModel;
  /** path the deploy's health check requests through nginx @default '/health/' */
  healthPath: string;
  /** extra variables for the app's .env (e.g. AUTH_WALL_*, STATIC_URL, DATABASE_URL) */
  env: Record<string, string | Secret>;
  /** the broker/cache server (@runbook/dragonfly) */
  broker?: BrokerModel;
  /** the app's database (@runbook/postgres) */
  database?: DatabaseModel;
  /** systemd units the deploy reloads gracefully after the switch, in order */
  reloadUnits: string[];
  /** host-wide names the site's plugins use (`claim`); two sites of a host that share one are a config error */
  claims: SiteClaim[];
}

export function emptySiteModel(hostname: string): SiteModel {
  return {
    serverNames: [hostname],
    staticLocations: [],
    staticUrl: '/static/',
    healthPath: '/health/',
    env: {},
    reloadUnits: [],
    claims: [],
  };
}

/** Records host-wide names a plugin uses for this site (see `SiteClaim`). */
export function claim(site: SiteModel, by: string, ...names: string[]): void {
  for (const name of names) site.claims.push({ name, by });
}

/** The app of the site model, for plugins that serve or run it (app servers, workers): a config error naming the plugin when @runbook/app is not enabled before it. */
export function requireApp(site: SiteModel, plugin: string): AppModel {
  if (!site.app) throw errors.config(`${plugin} needs the app in the site model: enable the app plugin before ${plugin} in plugins`, { key: 'plugins' });
  return site.app;
}
