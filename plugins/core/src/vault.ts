/**
 * Secrets at rest: AES-256-GCM with a key derived by scrypt from a password (RUNBOOK_VAULT_PASSWORD, or a
 * prompt in a terminal). Decrypted only in memory; GCM's tag makes a wrong password or a tampered file
 * fail loudly instead of yielding garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { errors } from './errors.js';

export const VAULT_HEADER = '$RUNBOOK_VAULT;1;AES256-GCM;scrypt';
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

const deriveKey = (password: string, salt: Buffer) => scryptSync(password, salt, 32, SCRYPT);

export function encryptVault(plaintext: string, password: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(password, salt), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const blob = Buffer.concat([salt, iv, cipher.getAuthTag(), body]).toString('base64');
  return `${VAULT_HEADER}\n${blob.replace(/.{1,76}/g, '$&\n')}`;
}

export function decryptVault(text: string, password: string, file: string): string {
  const [header, ...rest] = text.trim().split('\n');
  if (header !== VAULT_HEADER) throw errors.vault(`not a Runbook vault file (first line should be ${VAULT_HEADER})`, { file, line: 1 });
  const blob = Buffer.from(rest.join(''), 'base64');
  if (blob.length < 44) throw errors.vault('vault file is truncated', { file });
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(password, blob.subarray(0, 16)), blob.subarray(16, 28));
  decipher.setAuthTag(blob.subarray(28, 44));
  try {
    return Buffer.concat([decipher.update(blob.subarray(44)), decipher.final()]).toString('utf8');
  } catch {
    throw errors.vault('cannot decrypt: wrong password, or the file was changed', { file });
  }
}

/** The vault password: RUNBOOK_VAULT_PASSWORD, else asked on the terminal without echo. */
export async function vaultPassword(file: string): Promise<string> {
  const fromEnv = process.env.RUNBOOK_VAULT_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw errors.vault('set RUNBOOK_VAULT_PASSWORD (no terminal to ask for the vault password)', { file });
  process.stderr.write(`Vault password for ${file}: `);
  process.stdin.setRawMode(true);
  return new Promise((resolve) => {
    let value = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.off('data', onData);
          process.stdin.pause();
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') process.exit(130);
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    process.stdin.on('data', onData).resume();
  });
}
