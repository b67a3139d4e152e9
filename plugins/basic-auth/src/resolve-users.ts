/** Who may pass the wall: the plugin's `users`, else the env's secrets. */
import { errors, reveal, secret, type Secret } from '@runbook/core';

/**
 * Users from `users`, else from the secrets `BASIC_AUTH_USERS` ("alice:pw1,bob:pw2") or
 * `AUTH_WALL_USERNAME` + `AUTH_WALL_PASSWORD`. Every password comes back as a Secret.
 */
export function resolveUsers(users: Record<string, string | Secret> | undefined, secrets: Record<string, Secret>, env: string): Record<string, Secret> {
  if (users) return Object.fromEntries(Object.entries(users).map(([name, pw]) => [name, typeof pw === 'string' ? secret(pw, name) : pw]));
  if (secrets.BASIC_AUTH_USERS) {
    const out: Record<string, Secret> = {};
    for (const pair of reveal(secrets.BASIC_AUTH_USERS).split(',')) {
      if (!pair.trim()) continue;
      const i = pair.indexOf(':');
      if (i <= 0) throw errors.config(`basic-auth: BASIC_AUTH_USERS in the ${env} secrets: expected "user:password,user:password"; an entry has no user name or no colon`, { key: 'BASIC_AUTH_USERS' });
      out[pair.slice(0, i).trim()] = secret(pair.slice(i + 1), pair.slice(0, i).trim());
    }
    return out;
  }
  if (secrets.AUTH_WALL_USERNAME && secrets.AUTH_WALL_PASSWORD) {
    return { [reveal(secrets.AUTH_WALL_USERNAME)]: secrets.AUTH_WALL_PASSWORD };
  }
  throw errors.config(
    `basic-auth: no users for env "${env}": give the plugin users, or set BASIC_AUTH_USERS ("alice:pw1,bob:pw2") or AUTH_WALL_USERNAME and AUTH_WALL_PASSWORD in the ${env} secrets`,
    { key: 'users' },
  );
}
