/**
 * The env's secrets: `secrets/<env>.env.enc` (vault) or `secrets/<env>.env` (plain, git-ignored). Every
 * value becomes a Secret, so it is masked wherever it might be printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDotenv } from './dotenv.js';
import { errors } from './errors.js';
import { secret, type Secret } from './secret.js';
import { decryptVault, vaultPassword } from './vault.js';

export const secretsPaths = (dir: string, env: string) => ({ plain: join(dir, `${env}.env`), encrypted: join(dir, `${env}.env.enc`) });

export async function loadSecrets(dir: string, env: string): Promise<Record<string, Secret>> {
  const { plain, encrypted } = secretsPaths(dir, env);
  const hasPlain = existsSync(plain);
  const hasEncrypted = existsSync(encrypted);
  if (hasPlain && hasEncrypted) {
    throw errors.vault(`both ${relative(process.cwd(), plain)} and ${relative(process.cwd(), encrypted)} exist: keep one (run vault encrypt ${env} replaces the plain file)`, { file: plain });
  }
  if (!hasPlain && !hasEncrypted) return {};
  const text = hasEncrypted ? decryptVault(readFileSync(encrypted, 'utf8'), await vaultPassword(encrypted), encrypted) : readFileSync(plain, 'utf8');
  const values = parseDotenv(text, hasEncrypted ? encrypted : plain);
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secret(v, k)]));
}
