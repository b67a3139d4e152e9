/**
 * The app's environment: what goes into `shared/.env` and what migrate/collectstatic run with.
 * Lowest first: the site model's `env` (STATIC_ROOT, STATIC_URL, other plugins' values), the app's
 * `env` option, then the env's secrets file (it IS the .env; its values win).
 */
import { renderDotenv, reveal, secret, type Secret } from '@runbook/core';

export type EnvValues = Record<string, string | Secret>;

export function appEnv(siteEnv: EnvValues, optionEnv: Record<string, string>, secrets: Record<string, Secret>): EnvValues {
  const out: EnvValues = {};
  for (const layer of [siteEnv, optionEnv, secrets]) {
    for (const key of Object.keys(layer)) out[key] = layer[key];
  }
  return out;
}

/** The .env text (readable back by core's parseDotenv and by systemd's EnvironmentFile), as a Secret. */
export function renderEnvFile(values: EnvValues): Secret {
  const plain = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, reveal(v)]));
  const text = '# written by runbook (@runbook/app): the env\'s secrets file and the app\'s env; edits are replaced\n' + renderDotenv(plain);
  // composite: its secret values are registered by their own Secrets; its other lines are not secret
  return secret(text, '.env', { composite: true });
}

