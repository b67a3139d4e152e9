/** Everything the files are rendered from: the detected app plus the answers. */
import type { Framework } from './detected-app.js';

export type Source = { upload: { path: string } } | { git: { repo: string; ref: string } };

export interface ProjectPlan {
  name: string;
  framework: Framework;
  wsgi?: string;
  asgi?: string;
  source: Source;
  /** Debian packages */
  packages: string[];
  healthPath: string;
  collectstatic: boolean;
  migrate?: string[];
  /** secrets every env must set (generated ones: SECRET_KEY) */
  requiredSecrets: string[];
  /** plain .env values for every env (ALLOWED_HOSTS) */
  env: Record<string, string>;
  /** env name → ssh config aliases */
  hosts: Record<string, string[]>;
  /** the inventory's `sshConfig`, as written (`~/.ssh/config`) */
  sshConfig: string;
  /** keys of the secrets template: the generated ones, the empty ones, the commented (not secret) ones */
  secretKeys: { generated: string[]; empty: string[]; plain: string[] };
  /** the @runbook packages' version: create-runbook's own */
  version: string;
  notes: string[];
}

/** Names of keys that hold secrets: they go into secrets/<env>.env with a value to fill in. */
export const isSecretKey = (key: string): boolean =>
  /SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY|_DSN$|^DATABASE_URL$|CREDENTIALS/.test(key);

/** Keys generated at random: a Django or Flask secret key. */
export const isGeneratedKey = (key: string): boolean => /(^|_)SECRET_KEY$/.test(key);

/** Keys the deploy sets itself (the app plugin, @runbook/postgres): never in a template. */
export const SET_BY_RUNBOOK = new Set(['STATIC_ROOT', 'RELEASE']);
