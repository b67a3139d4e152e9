/**
 * `basicAuth.htpasswd`: an htpasswd file with exactly these users and passwords. Hashes are salted, so
 * the file is not compared byte for byte: the fact is the current file, and `check` verifies each
 * user's password against its stored hash. Users whose password still matches keep their hash; the file
 * is rewritten only when a user is missing, extra or has another password (or the layout differs). The
 * content is sensitive: no diff, no hashes or passwords in any output.
 */
import { changes, defineTask, errors, isSecret, noop, reveal, type Command, type Secret, type TaskContext, type TaskType } from '@runbook/core';
import { fileFact, fileType, type FileState } from '@runbook/system';
import { apr1, verifyPassword } from './md5-crypt.js';

export interface HtpasswdOptions {
  /**
   * Absolute path of the file.
   * @example '/etc/nginx/htpasswd/shop'
   */
  path: string;
  /**
   * User name → password (plain or a Secret); written in this order.
   * @example { alice: secret('s3cret') }
   */
  users: Record<string, string | Secret>;
  /** @default '0640' */
  mode?: string;
  /** @default 'root' */
  owner?: string;
  /**
   * The group nginx's workers run as, so they can read the file.
   * @default 'www-data'
   */
  group?: string;
}

export interface HtpasswdState {
  write: boolean;
  /** hashes that still match their user's password, reused so that only changed users get a new salt */
  keep: Record<string, string>;
  fix?: { mode?: string; owner?: string; group?: string };
}

const defaults = (o: HtpasswdOptions) => ({ mode: (o.mode ?? '0640').padStart(4, '0'), owner: o.owner ?? 'root', group: o.group ?? 'www-data' });

/** `user:hash` lines of an htpasswd file (blank lines and comments skipped). */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) users.set(line.slice(0, i), line.slice(i + 1).trimEnd());
  }
  return users;
}

const render = (names: string[], hashes: Record<string, string>): string => names.map((n) => `${n}:${hashes[n]}\n`).join('');

/** Pure: compares the file (its stored hashes) with the wanted users and passwords. */
export function checkHtpasswd(file: FileState, o: HtpasswdOptions) {
  const want = defaults(o);
  const names = Object.keys(o.users);
  if (file.kind !== 'file' && file.kind !== 'absent') {
    throw errors.options(`path: ${o.path} is a ${file.kind}; expected a regular file or nothing`, { key: 'path' });
  }
  if (file.kind === 'absent') {
    return changes<HtpasswdState>([`create ${o.path} (${names.length} user${names.length === 1 ? '' : 's'}: ${names.join(', ')}; ${want.mode} ${want.owner}:${want.group})`], { state: { write: true, keep: {} } });
  }
  if (!file.content) throw errors.fact(`${o.path}: too large to read as an htpasswd file`);
  const stored = parseHtpasswd(file.content.toString('utf8'));
  const keep: Record<string, string> = {};
  const list: string[] = [];
  for (const name of names) {
    const hash = stored.get(name);
    if (hash === undefined) list.push(`add user ${name}`);
    else if (verifyPassword(reveal(o.users[name]), hash)) keep[name] = hash;
    else list.push(`change the password of ${name}`);
  }
  for (const name of stored.keys()) if (!(name in o.users)) list.push(`remove user ${name}`);
  // same users and passwords, but order, comments or hash schemes differ
  if (!list.length && render(names, keep) !== file.content.toString('utf8')) list.push(`rewrite ${o.path} (layout)`);
  const fix: HtpasswdState['fix'] = {};
  if (file.mode !== want.mode) fix.mode = want.mode;
  if (want.owner !== file.owner && want.owner !== String(file.uid)) fix.owner = want.owner;
  if (want.group !== file.group && want.group !== String(file.gid)) fix.group = want.group;
  const attrs = Object.entries(fix).map(([k, v]) => `${k} ${k === 'mode' ? file.mode : k === 'owner' ? file.owner : file.group} → ${v}`);
  if (!list.length && !attrs.length) return noop(`${o.path}: ${names.length} user${names.length === 1 ? '' : 's'}, passwords match (${file.mode} ${file.owner}:${file.group})`);
  return changes<HtpasswdState>([...list, ...attrs], { state: { write: list.length > 0, keep, fix: attrs.length ? fix : undefined } });
}

/** Hashes the users that need it (fresh salts) and writes through `file.content` (atomic, sensitive). */
export function applyHtpasswd(s: HtpasswdState, o: HtpasswdOptions, ctx: TaskContext): Command[] {
  const want = defaults(o);
  const names = Object.keys(o.users);
  const hashes = Object.fromEntries(names.map((n) => [n, s.keep[n] ?? apr1(reveal(o.users[n]))]));
  const fileOptions = { path: o.path, content: Buffer.from(render(names, hashes)), sensitive: true, ...want };
  const state = s.write ? { write: true } : { write: false, fix: s.fix };
  return fileType.apply({ changes: [], state }, fileOptions, ctx);
}

export const htpasswdType: TaskType<HtpasswdOptions, { file: FileState }, HtpasswdState> = {
  name: 'basicAuth.htpasswd',
  describe: (o) => o.path,
  validate(o) {
    if (!o || typeof o !== 'object') throw errors.options('options: expected an object');
    if (typeof o.path !== 'string' || !o.path.startsWith('/') || o.path.endsWith('/')) throw errors.options(`path: expected an absolute file path, got ${JSON.stringify(o.path)}`, { key: 'path' });
    if (!o.users || typeof o.users !== 'object' || !Object.keys(o.users).length) throw errors.options('users: expected at least one user', { key: 'users' });
    for (const [name, pw] of Object.entries(o.users)) {
      if (!/^[^:\s#][^:\s]*$/.test(name)) throw errors.options(`users: ${JSON.stringify(name)} is not a valid user name (no colons or whitespace)`, { key: 'users' });
      if (typeof pw !== 'string' && !isSecret(pw)) throw errors.options(`users.${name}: expected a string or Secret`, { key: `users.${name}` });
      if (/[\n\r]/.test(reveal(pw))) throw errors.options(`users.${name}: a password cannot contain a line break`, { key: `users.${name}` });
    }
    if (o.mode !== undefined && !/^0?[0-7]{3}$/.test(o.mode)) throw errors.options(`mode: expected an octal mode like '0640'`, { key: 'mode' });
  },
  facts: (o) => ({ file: fileFact(o.path) }),
  check: (f, o) => checkHtpasswd(f.file, o),
  apply: (plan, o, ctx) => applyHtpasswd(plan.state!, o, ctx),
};

/**
 * An htpasswd file (`$apr1$` hashes) for nginx's auth_basic; rewritten only when users or passwords change.
 * @example htpasswd({ path: '/etc/nginx/htpasswd/shop', users: { alice: secret('s3cret') } })
 */
export const htpasswd = defineTask(htpasswdType);
