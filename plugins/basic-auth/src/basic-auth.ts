/**
 * The basic-auth plugin: a password wall in front of the site for the envs that want one (dev, qa, stg).
 * It contributes `site.auth` (nginx renders auth_basic, with the health check and the ACME path left
 * open) and writes the htpasswd file from the env's secrets; optionally it hands the same credentials to
 * a Django auth wall through the app's .env.
 */
import { posix } from 'node:path';
import { checkOptionKeys, claim, definePlugin, optionKeys, placeable, errors, reveal, type PluginContext, type Secret, type SiteModel, type Task, type PlacementOptions, type PluginWith } from '@runbook/core';
import { directory } from '@runbook/system';
import { htpasswd } from './htpasswd.js';
import { resolveUsers } from './resolve-users.js';

export interface BasicAuthOptions extends PlacementOptions {
  /**
   * Envs that get the wall.
   * @default every env
   * @example ['dev', 'qa', 'stg']
   */
  envs?: string[];
  /**
   * The realm browsers show in the login prompt.
   * @default 'Restricted'
   * @example 'Shop staging'
   */
  realm?: string;
  /**
   * User name → password. Unset: from the env's secrets, `BASIC_AUTH_USERS` ("alice:pw1,bob:pw2"; no
   * commas in passwords) or `AUTH_WALL_USERNAME` + `AUTH_WALL_PASSWORD`.
   * @default undefined
   * @example { alice: secret(process.env.ALICE_PW!) }
   */
  users?: Record<string, Secret | string>;
  /**
   * Also put `AUTH_WALL_USERNAME`, `AUTH_WALL_PASSWORD` (the first user) and `AUTH_WALL_REALM` into the
   * app's .env, for apps that run a Django auth wall.
   * @default false
   * @example true
   */
  djangoWall?: boolean;
}

export const ACME_CHALLENGE_PATH = '/.well-known/acme-challenge/';
const HTPASSWD_DIR = '/etc/nginx/htpasswd';

export const userFileFor = (site: SiteModel): string => `${HTPASSWD_DIR}/${site.app?.name ?? 'site'}`;
const isOn = (o: BasicAuthOptions, env: string): boolean => !o.envs || o.envs.includes(env);

/** The plugin's part of the site model, when the env has the wall. */
export function contributeBasicAuth(site: SiteModel, ctx: Pick<PluginContext, 'env' | 'secrets'>, o: BasicAuthOptions): void {
  if (!isOn(o, ctx.env)) return;
  const realm = o.realm ?? 'Restricted';
  // site.healthPath: the app's healthCheck.path when it sets one, so the check passes the wall
  site.auth = { realm, userFile: userFileFor(site), exempt: [site.healthPath, ACME_CHALLENGE_PATH] };
  claim(site, 'basic-auth', `file ${site.auth.userFile}`);
  if (o.djangoWall) {
    const [[name, password]] = Object.entries(resolveUsers(o.users, ctx.secrets, ctx.env));
    site.env.AUTH_WALL_USERNAME = name;
    site.env.AUTH_WALL_PASSWORD = password;
    site.env.AUTH_WALL_REALM = realm;
  }
}

/** The htpasswd directory (nginx's group may enter it) and file. */
export function basicAuthConfigureTasks(ctx: PluginContext, o: BasicAuthOptions): Task[] {
  if (!isOn(o, ctx.env) || !ctx.site.auth) return [];
  const path = ctx.site.auth.userFile;
  return [
    directory({ path: posix.dirname(path), mode: '0750', owner: 'root', group: 'www-data', recursive: true }),
    htpasswd({ path, users: resolveUsers(o.users, ctx.secrets, ctx.env) }),
  ];
}

const KEYS = optionKeys<BasicAuthOptions>({ on: true, envs: true, realm: true, users: true, djangoWall: true });

function validate(o: BasicAuthOptions): void {
  if (!o || typeof o !== 'object') throw errors.options('basic-auth: options must be an object');
  checkOptionKeys('basic-auth', o, KEYS);
  if (o.envs !== undefined && (!Array.isArray(o.envs) || o.envs.some((e) => typeof e !== 'string'))) {
    throw errors.options('basic-auth: envs: expected a list of env names', { key: 'envs' });
  }
  if (o.realm !== undefined && (typeof o.realm !== 'string' || !o.realm || /[\0-\x1f"$\\]/.test(o.realm))) {
    throw errors.options(`basic-auth: realm: expected text without quotes, $, backslashes or control characters, got ${JSON.stringify(o.realm)}`, { key: 'realm' });
  }
  for (const [name, pw] of Object.entries(o.users ?? {})) {
    if (!name || /[:\s]/.test(name)) throw errors.options(`basic-auth: users: ${JSON.stringify(name)} is not a valid user name`, { key: 'users' });
    if (!reveal(pw as string)) throw errors.options(`basic-auth: users.${name}: empty password`, { key: `users.${name}` });
  }
}

/**
 * A password wall (nginx auth_basic) for some envs.
 * @example basicAuth({ envs: ['dev', 'qa', 'stg'], realm: 'Shop staging' })
 */
export function basicAuth(options: BasicAuthOptions = {}): PluginWith<'contribute' | 'configure'> {
  validate(options);
  return placeable(basicAuth, options, definePlugin({
    name: 'basic-auth',
    contribute: (site: SiteModel, ctx: Pick<PluginContext, 'env' | 'secrets'>) => contributeBasicAuth(site, ctx, options),
    configure: (ctx: PluginContext) => basicAuthConfigureTasks(ctx, options),
  }));
}
