/**
 * Host key verification against OpenSSH known_hosts files: plain and hashed (`|1|salt|hash`) names,
 * `[host]:port` for non-standard ports, patterns with `*`/`?`/`!`, and `@revoked` markers.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'unknown' }
  | { status: 'changed'; file: string; line: number }
  | { status: 'revoked'; file: string; line: number };

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export const fingerprint = (key: Buffer): string =>
  'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');

/** The name known_hosts files use for a host. */
export const knownHostsName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

const globToRegExp = (glob: string): RegExp =>
  new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');

function nameMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (globToRegExp(pattern).test(name)) matched = true;
  }
  return matched;
}

/** Checks a presented key blob against every known_hosts file, in order. */
export function verifyHostKey(files: string[], name: string, key: Buffer): HostKeyVerdict {
  const blob = key.toString('base64');
  let changed: HostKeyVerdict | undefined;
  let matched = false;
  for (const file of files) {
    if (!existsSync(file)) continue;
    readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
      const fields = text.trim().split(/\s+/);
      if (!fields[0] || fields[0].startsWith('#')) return;
      const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
      if (marker === '@cert-authority' || fields.length < 3 || !nameMatches(fields[0], name)) return;
      if (marker === '@revoked') {
        if (fields[2] === blob) changed = { status: 'revoked', file, line: i + 1 };
        return;
      }
      if (fields[2] === blob) matched = true;
      else changed ??= { status: 'changed', file, line: i + 1 };
    });
  }
  if (changed?.status === 'revoked') return changed;
  if (matched) return { status: 'match' };
  return changed ?? { status: 'unknown' };
}

/** Records a newly accepted key (accept-new). */
export function recordHostKey(file: string, name: string, key: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const type = key.subarray(4, 4 + key.readUInt32BE(0)).toString();
  appendFileSync(file, `${name} ${type} ${key.toString('base64')}\n`, { mode: 0o600 });
}
