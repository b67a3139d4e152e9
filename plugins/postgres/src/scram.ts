/**
 * PostgreSQL's SCRAM-SHA-256 password verifiers (RFC 5802/7677, as stored in pg_authid.rolpassword):
 * made here so that only the verifier, never the password, reaches the host; and checked here against
 * the stored one, so the role's password is compared without any login attempt.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAM_ITERATIONS = 4096;

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** PostgreSQL SASLpreps the password; for printable ASCII that is the identity, NFKC is close for the rest. */
const prepare = (password: string): Buffer => Buffer.from(/^[\x20-\x7e]*$/.test(password) ? password : password.normalize('NFKC'));

function keys(password: string, salt: Buffer, iterations: number): { stored: Buffer; server: Buffer } {
  const salted = pbkdf2Sync(prepare(password), salt, iterations, 32, 'sha256');
  return { stored: createHash('sha256').update(hmac(salted, 'Client Key')).digest(), server: hmac(salted, 'Server Key') };
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64 parts. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const k = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${k.stored.toString('base64')}:${k.server.toString('base64')}`;
}

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** Whether the stored verifier is this password's (false for md5 hashes, plain text or none). */
export function verifyScram(password: string, verifier: string): boolean {
  const m = VERIFIER.exec(verifier);
  if (!m) return false;
  const k = keys(password, Buffer.from(m[2], 'base64'), Number(m[1]));
  const stored = Buffer.from(m[3], 'base64');
  const server = Buffer.from(m[4], 'base64');
  return stored.length === 32 && server.length === 32 && timingSafeEqual(k.stored, stored) && timingSafeEqual(k.server, server);
}
