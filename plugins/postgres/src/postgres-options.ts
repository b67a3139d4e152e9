/** The postgres plugin's options, their defaults and their validation (before anything connects). */
import { checkOptionKeys, errors, isSecret, optionKeys, reveal, secret, type Secret, type SiteModel, type PlacementOptions } from '@runbook/core';
import { NAME } from './psql.js';

export interface PostgresOptions extends PlacementOptions {
  /**
   * Database name. Unset: the app's name (`site.app.name`, `-` → `_`).
   * @default the app's name
   * @example 'shop'
   */
  database?: string;
  /**
   * Role the app connects as (owner of the database).
   * @default the database name
   * @example 'shop_app'
   */
  user?: string;
  /**
   * The role's password. A string is wrapped as a Secret. Unset: the first of `passwordSecrets` found
   * in the env's secrets.
   * @default the env secret POSTGRES_PASSWORD, else DATABASE_PASSWORD
   * @example secret(process.env.POSTGRES_PASSWORD!)
   */
  password?: string | Secret;
  /**
   * Names of the env's secrets that may hold the password, in order.
   * @default ['POSTGRES_PASSWORD', 'DATABASE_PASSWORD']
   * @example ['DB_PASSWORD']
   */
  passwordSecrets?: string[];
  /**
   * Host in the URL the app gets on the database host itself. The app on other hosts of the env gets
   * the database host's private address.
   * @default '127.0.0.1'
   * @example 'localhost'
   */
  host?: string;
  /**
   * @default 5432
   * @example 5433
   */
  port?: number;
  /**
   * The `site.env` variable (so the app's `.env`) that gets the URL.
   * @default 'DATABASE_URL'
   * @example 'SQLALCHEMY_DATABASE_URI'
   */
  envVar?: string;
  /**
   * Locale (LC_COLLATE, LC_CTYPE) of a new database; UTF8 encoding.
   * @default 'C.UTF-8'
   * @example 'en_US.UTF-8'
   */
  locale?: string;
}

export interface ResolvedPostgresOptions {
  database?: string;
  user?: string;
  password?: Secret;
  passwordSecrets: string[];
  host: string;
  port: number;
  envVar: string;
  locale: string;
}

const KEYS = optionKeys<PostgresOptions>({
  on: true, database: true, user: true, password: true, passwordSecrets: true, host: true, port: true, envVar: true, locale: true,
});
const VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/;

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`postgres: ${key} must be ${expected}, got ${isSecret(got) ? 'a secret' : JSON.stringify(got)}`, { key });
};

export function resolvePostgresOptions(o: PostgresOptions = {}): ResolvedPostgresOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object', o);
  checkOptionKeys('postgres', o, KEYS);
  for (const key of ['database', 'user'] as const) {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || !NAME.test(o[key]!))) bad(key, 'a lower-case SQL name (a-z, 0-9, _; not starting with a digit)', o[key]);
  }
  let password: Secret | undefined;
  if (o.password !== undefined) {
    if (typeof o.password !== 'string' && !isSecret(o.password)) bad('password', 'a string or a Secret', o.password);
    password = typeof o.password === 'string' ? secret(o.password, 'postgres password') : o.password;
    if (!reveal(password)) bad('password', 'a non-empty password', '');
  }
  const passwordSecrets = o.passwordSecrets ?? ['POSTGRES_PASSWORD', 'DATABASE_PASSWORD'];
  if (!Array.isArray(passwordSecrets) || !passwordSecrets.length || passwordSecrets.some((v) => typeof v !== 'string' || !VAR.test(v))) {
    bad('passwordSecrets', 'a non-empty array of variable names', passwordSecrets);
  }
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !HOST.test(host)) bad('host', 'a host name or address', host);
  const port = o.port ?? 5432;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) bad('port', 'an integer from 1 to 65535', port);
  const envVar = o.envVar ?? 'DATABASE_URL';
  if (typeof envVar !== 'string' || !VAR.test(envVar)) bad('envVar', 'a variable name', envVar);
  const locale = o.locale ?? 'C.UTF-8';
  if (typeof locale !== 'string' || !/^[A-Za-z0-9_.@-]+$/.test(locale)) bad('locale', "a locale name like 'C.UTF-8'", locale);
  return { database: o.database, user: o.user, password, passwordSecrets, host, port, envVar, locale };
}

export interface PostgresTarget {
  database: string;
  user: string;
  password: Secret;
  /** `postgresql://user:password@host:port/database`, a Secret */
  url: Secret;
}

/**
 * Names from the options or the app, the password from the options or the env's secrets; the URL's host
 * is `host` (the database host's private address on the other hosts of an env), else the `host` option.
 */
export function resolveTarget(o: ResolvedPostgresOptions, site: Pick<SiteModel, 'app'>, secrets: Record<string, Secret>, env: string, host = o.host): PostgresTarget {
  const database = o.database ?? site.app?.name.replace(/-/g, '_');
  if (!database) throw errors.config('postgres: no database name: give the database option, or enable the app plugin before postgres', { key: 'database' });
  if (!NAME.test(database)) throw errors.config(`postgres: the app's name ${JSON.stringify(database)} is no SQL name: give the database option`, { key: 'database' });
  const user = o.user ?? database;
  const found = o.password ?? o.passwordSecrets.map((k) => secrets[k]).find((s) => s !== undefined);
  if (!found || !reveal(found)) {
    throw errors.config(`postgres: no password for env "${env}": give the password option, or set ${o.passwordSecrets.join(' or ')} in the ${env} secrets`, { key: 'password' });
  }
  const url = secret(`postgresql://${encodeURIComponent(user)}:${encodeURIComponent(reveal(found))}@${host}:${o.port}/${encodeURIComponent(database)}`, 'DATABASE_URL');
  return { database, user, password: found, url };
}
