/**
 * The env's secrets: `secrets/<env>.env.enc` (vault) or `secrets/<env>.env` (plain, git-ignored). Every
 * value becomes a Secret, so it is masked wherever it might be printed. An env has a secrets file unless
 * the config says it has none (`secrets: false`): a missing file would otherwise deploy an app without
 * its SECRET_KEY.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { ResolvedConfig } from './config.js';
import { parseDotenv } from './dotenv.js';
import { errors } from './errors.js';
import { MIN_SECRET_LENGTH, secret, type Secret } from './secret.js';
import { decryptVault, vaultPassword } from './vault.js';

/** What loading the secrets needs of the config. */
export type SecretsConfig = Pick<ResolvedConfig, 'secretsDir' | 'secrets' | 'file'>;

export const secretsPaths = (dir: string, env: string) => ({ plain: join(dir, `${env}.env`), encrypted: join(dir, `${env}.env.enc`) });

// relative to where the user runs `run`, when the file is below it
const shown = (path: string) => {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : path;
};
const configName = (config: SecretsConfig) => (config.file ? shown(config.file) : 'the config');

/** The env's secrets file as the user knows it: the one that exists, or the plain path. */
export function secretsFileOf(dir: string, env: string): string {
  const { plain, encrypted } = secretsPaths(dir, env);
  return shown(existsSync(encrypted) ? encrypted : plain);
}

export async function loadSecrets(config: SecretsConfig, env: string): Promise<Record<string, Secret>> {
  const { plain, encrypted } = secretsPaths(config.secretsDir, env);
  const hasPlain = existsSync(plain);
  const hasEncrypted = existsSync(encrypted);
  if (hasPlain && hasEncrypted) {
    throw errors.vault(`both ${shown(plain)} and ${shown(encrypted)} exist: keep one (run vault encrypt ${env} replaces the plain file)`, { file: plain });
  }
  const file = hasEncrypted ? encrypted : plain;
  if (config.secrets === false) {
    if (hasPlain || hasEncrypted) {
      throw errors.secrets(`env "${env}" has no secrets by ${configName(config)} (secrets: false), but ${shown(file)} exists: remove one`, { file: shown(file) });
    }
    return {};
  }
  if (!hasPlain && !hasEncrypted) {
    throw errors.secrets(
      `env "${env}" has no secrets file: expected ${shown(plain)} or ${shown(encrypted)}; ` +
        `an env without secrets says so in ${configName(config)}: envs: { ${/^[A-Za-z_$][\w$]*$/.test(env) ? env : JSON.stringify(env)}: { secrets: false } }`,
      { file: shown(plain) },
    );
  }
  const text = hasEncrypted ? decryptVault(readFileSync(encrypted, 'utf8'), await vaultPassword(encrypted), encrypted) : readFileSync(plain, 'utf8');
  const values = parseSecrets(text, shown(file));
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secret(v, k)]));
}

/**
 * Parses a secrets file's text (the .env format) and refuses values too short to mask: what `run vault`
 * checks before it seals a file, so that a sealed file always loads.
 */
export function parseSecrets(text: string, file: string): Record<string, string> {
  const values = parseDotenv(text, file);
  for (const [key, value] of Object.entries(values)) {
    // an empty value has nothing to hide; a short one cannot be masked without masking ordinary words
    if (value.length > 0 && value.length < MIN_SECRET_LENGTH) {
      throw errors.secrets(
        `a value of ${value.length} character(s) cannot be masked safely in output (at least ${MIN_SECRET_LENGTH}); ` +
          'a value that is not secret belongs in the config (e.g. app({ env }))',
        { file, line: lineOf(text, key), key },
      );
    }
  }
  return values;
}

const lineOf = (text: string, key: string): number | undefined => {
  const i = text.split(/\r?\n/).findLastIndex((l) => new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=`).test(l));
  return i >= 0 ? i + 1 : undefined;
};

/**
 * Fails (exit 4) when a key a plugin needs is not in the env's secrets, naming the file and the key.
 * Call it while planning, so the run stops before anyone logs in to a host.
 */
export function requireSecrets(
  ctx: { env: string; config: SecretsConfig; secrets: Record<string, Secret> },
  keys: readonly string[],
  by: string,
): void {
  for (const key of keys) {
    const value = ctx.secrets[key];
    if (value && value.reveal() !== '') continue;
    if (value) throw errors.secrets(`required by ${by}, but empty in the env's secrets`, { file: secretsFileOf(ctx.config.secretsDir, ctx.env), key });
    if (ctx.config.secrets === false) {
      throw errors.secrets(`${by} needs the secret ${key}, but env "${ctx.env}" has no secrets file (secrets: false in ${configName(ctx.config)})`, { key, file: ctx.config.file && shown(ctx.config.file) });
    }
    throw errors.secrets(`required by ${by}, but not set in the env's secrets`, { file: secretsFileOf(ctx.config.secretsDir, ctx.env), key });
  }
}
