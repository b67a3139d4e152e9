/**
 * Host key verification against OpenSSH known_hosts files: plain and hashed (`|1|salt|hash`) names,
 * `[host]:port` for non-standard ports, patterns with `*`/`?`/`!`, and `@revoked` markers.
 *
 * What each policy (`--host-key`, or StrictHostKeyChecking from the ssh config) does with a key:
 * | policy     | known, same key | unknown                               | changed or revoked |
 * |------------|-----------------|---------------------------------------|--------------------|
 * | yes        | connect         | refuse (E_HOST_KEY)                   | refuse             |
 * | accept-new | connect         | record in the project's file, connect | refuse             |
 * | no         | connect         | connect (nothing recorded)            | refuse             |
 * A changed key is refused under every policy. OpenSSH's `no` instead records unknown keys and connects
 * to a changed key with password and keyboard-interactive logins, agent, X11 and port forwarding turned
 * off; Runbook logs in with keys, runs commands as root and may forward the agent: it does not connect.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors, type RunbookError } from './errors.js';
import { knownHostsLines } from './known-hosts-file.js';

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

/** Checks a presented key blob against every known_hosts file, in order. */
export function verifyHostKey(files: string[], name: string, key: Buffer): HostKeyVerdict {
  const blob = key.toString('base64');
  let changed: HostKeyVerdict | undefined;
  let matched = false;
  for (const file of files) {
    for (const l of knownHostsLines(file, name)) {
      if (l.marker === '@revoked') {
        if (l.key === blob) changed = { status: 'revoked', file, line: l.line };
      } else if (l.key === blob) matched = true;
      else changed ??= { status: 'changed', file, line: l.line };
    }
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

export type HostKeyPolicy = 'yes' | 'accept-new' | 'no';

/** What a policy does with a verdict (the table at the top of this file). */
export function hostKeyDecision(verdict: HostKeyVerdict, policy: HostKeyPolicy): 'accept' | 'record' | 'refuse' {
  if (verdict.status === 'match') return 'accept';
  if (verdict.status !== 'unknown') return 'refuse';
  if (policy === 'accept-new') return 'record';
  return policy === 'no' ? 'accept' : 'refuse';
}

export interface HostKeyCheck {
  /** the host's alias, for the error */
  alias: string;
  /** the name known_hosts files know it by (knownHostsName) */
  name: string;
  /** every known_hosts file, in order */
  files: string[];
  policy: HostKeyPolicy;
  /** where accept-new records a key */
  projectKnownHosts: string;
}

/** Checks a presented key: undefined when the connection may go on (recording it under accept-new). */
export function checkHostKey(c: HostKeyCheck, key: Buffer): RunbookError | undefined {
  const verdict = verifyHostKey(c.files, c.name, key);
  const decision = hostKeyDecision(verdict, c.policy);
  if (decision === 'record') recordHostKey(c.projectKnownHosts, c.name, key);
  if (decision !== 'refuse' || verdict.status === 'match') return undefined;
  if (verdict.status === 'unknown') {
    return errors.hostKey(c.alias, `host key of ${c.name} (${fingerprint(key)}) is not known: check it and add it to ${c.projectKnownHosts}, or run with --host-key accept-new`);
  }
  return errors.hostKey(
    c.alias,
    `HOST KEY CHANGED for ${c.name}: it now presents ${fingerprint(key)}, which differs from ${verdict.file}:${verdict.line}${verdict.status === 'revoked' ? ' (revoked)' : ''}. ` +
      `This may be an attack, and is refused under every --host-key setting; if the host was rebuilt, remove that line and connect again`,
  );
}
