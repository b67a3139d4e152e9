/**
 * MD5-crypt password hashes as Apache's htpasswd writes them (`$apr1$salt$hash`, which nginx's
 * auth_basic reads), plus the older `$1$` form: hash and verify, with node:crypto only. The algorithm is
 * Poul-Henning Kamp's md5crypt; apr1 differs only in its magic string.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const md5 = (...parts: Buffer[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

function to64(value: number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++, value >>>= 6) out += ITOA64[value & 0x3f];
  return out;
}

function md5crypt(password: string, salt: string, magic: '$apr1$' | '$1$'): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  const alt = md5(pw, s, pw);
  const parts: Buffer[] = [pw, Buffer.from(magic), s];
  for (let left = pw.length; left > 0; left -= 16) parts.push(alt.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i; i >>= 1) parts.push(i & 1 ? Buffer.alloc(1) : pw.subarray(0, 1));
  let final = md5(...parts);
  // 1000 rounds, to make brute force slower (as the original)
  for (let i = 0; i < 1000; i++) {
    const round: Buffer[] = [i & 1 ? pw : final];
    if (i % 3) round.push(s);
    if (i % 7) round.push(pw);
    round.push(i & 1 ? final : pw);
    final = md5(...round);
  }
  const f = final;
  const hash = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]]
    .map(([a, b, c]) => to64((f[a] << 16) | (f[b] << 8) | f[c], 4))
    .join('') + to64(f[11], 2);
  return `${magic}${s.toString('utf8')}$${hash}`;
}

/** 8 random characters of the crypt alphabet. */
export function randomSalt(): string {
  return [...randomBytes(8)].map((b) => ITOA64[b & 0x3f]).join('');
}

/**
 * `$apr1$` hash of a password, as `openssl passwd -apr1` and `htpasswd -m` make it.
 * @example apr1('password', 'saltsalt') // '$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/'
 */
export function apr1(password: string, salt: string = randomSalt()): string {
  if (!/^[./0-9A-Za-z]{1,8}$/.test(salt)) throw new Error('salt: expected 1 to 8 characters of [./0-9A-Za-z]');
  return md5crypt(password, salt, '$apr1$');
}

const PARSE = /^\$(apr1|1)\$([^$]{0,8})\$([./0-9A-Za-z]{22})$/;

/** True when the hash (`$apr1$…` or `$1$…`) is the password's. Other schemes: false. */
export function verifyPassword(password: string, hash: string): boolean {
  const m = PARSE.exec(hash);
  if (!m) return false;
  const again = Buffer.from(md5crypt(password, m[2], m[1] === 'apr1' ? '$apr1$' : '$1$'));
  const given = Buffer.from(hash);
  return again.length === given.length && timingSafeEqual(again, given);
}
