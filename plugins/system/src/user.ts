/**
 * `system.user`: a Unix account with these attributes, created with `useradd` and corrected with
 * `usermod` (supplementary groups are only ever added). Facts: `getent passwd`, `id -gn`, `id -Gn`.
 */
import { changes, defineTask, errors, noop, quote, type FactRequest, type Plan, type TaskType } from '@runbook/core';
import { absolutePath, accountName, fail, oneOf, optionalAccount, optionalBoolean, optionalId, optionalString, requireObject } from './options.js';

export interface UserOptions {
  /**
   * Login name.
   * @example 'deploy'
   */
  name: string;
  /**
   * Create a system account (uid from the system range; no home unless `createHome`).
   * @default false
   * @example true
   */
  system?: boolean;
  /**
   * Home directory. On an existing account it is changed in /etc/passwd only (nothing is moved).
   * @default /home/<name> (useradd's default)
   * @example '/var/lib/dragonfly'
   */
  home?: string;
  /**
   * Create the home directory when the account is created.
   * @default true, false for a system account
   * @example true
   */
  createHome?: boolean;
  /**
   * Login shell.
   * @default useradd's default (/bin/sh on Debian)
   * @example '/usr/sbin/nologin'
   */
  shell?: string;
  /**
   * Primary group (name or gid). Equal to `name`: the group is created with the account if missing.
   * Any other group must exist (use `group()` first).
   * @default undefined (Debian: a group named after the user)
   * @example 'www-data'
   */
  group?: string;
  /**
   * Supplementary groups the account must be in; groups it is in besides these are left alone.
   * @default []
   * @example ['sudo', 'docker']
   */
  groups?: string[];
  /**
   * Numeric uid.
   * @default undefined (chosen by useradd)
   * @example 1500
   */
  uid?: number;
  /**
   * The GECOS field.
   * @default undefined
   * @example 'Deploy user'
   */
  comment?: string;
  /**
   * `absent` removes the account (`userdel`, the home directory is kept).
   * @default 'present'
   * @example 'absent'
   */
  state?: 'present' | 'absent';
}

export interface UserEntry {
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
  /** primary group name */
  group: string;
  /** all group names (primary included) */
  groups: string[];
}

export function userFact(name: string): FactRequest<UserEntry | undefined> {
  const n = quote(name);
  return {
    command: `if ! e=$(getent passwd -- ${n}); then echo absent; exit 0; fi\nprintf '%s\\n' "$e"; id -gn -- ${n}; id -Gn -- ${n}`,
    parse(out) {
      if (out.code !== 0) throw errors.fact(`getent/id failed (exit ${out.code}): ${out.stderr.trim()}`);
      const [entry, group, groups] = out.stdout.split('\n');
      if (entry === 'absent') return undefined;
      const [, , uid, gid, comment, home, shell] = entry.split(':');
      return { uid: Number(uid), gid: Number(gid), comment, home, shell, group, groups: groups ? groups.trim().split(' ') : [] };
    },
  };
}

interface UserState {
  script: string;
  display: string;
}

const noColon = (key: string, v: string | undefined): void => {
  if (v !== undefined && /[:\n]/.test(v)) fail(key, 'a value without ":" or newlines (it goes into /etc/passwd)', v);
};

function create(o: UserOptions): Plan<UserState> {
  const n = quote(o.name);
  const createHome = o.createHome ?? !o.system;
  const args = [
    o.system ? '--system' : '',
    o.uid !== undefined ? `--uid ${o.uid}` : '',
    o.home !== undefined ? `--home-dir ${quote(o.home)}` : '',
    createHome ? '--create-home' : '--no-create-home',
    o.shell !== undefined ? `--shell ${quote(o.shell)}` : '',
    o.comment !== undefined ? `--comment ${quote(o.comment)}` : '',
    o.groups?.length ? `--groups ${quote(o.groups.join(','))}` : '',
  ].filter(Boolean).join(' ');
  let add: string;
  if (o.group === o.name) {
    // the user's own group: reuse it when it already exists, else useradd creates it
    add = `if getent group -- ${n} >/dev/null; then useradd ${args} --gid ${n} -- ${n}; else useradd ${args} --user-group -- ${n}; fi`;
  } else add = `useradd ${args}${o.group !== undefined ? ` --gid ${quote(o.group)}` : ''} -- ${n}`;
  const what = [o.system && 'system', o.uid !== undefined && `uid ${o.uid}`, o.group && `group ${o.group}`, o.home && `home ${o.home}`,
    o.shell && `shell ${o.shell}`, o.groups?.length && `groups ${o.groups.join(',')}`].filter(Boolean).join(', ');
  return changes([`create user ${o.name}${what ? ` (${what})` : ''}`], {
    state: { script: `getent passwd -- ${n} >/dev/null || { ${add}; }`, display: `useradd ${o.name}` },
  });
}

export function checkUser(u: UserEntry | undefined, o: UserOptions): Plan<UserState> {
  const n = quote(o.name);
  if (o.state === 'absent') {
    if (!u) return noop(`user ${o.name} absent`);
    return changes([`remove user ${o.name}`], { state: { script: `! getent passwd -- ${n} >/dev/null || userdel -- ${n}`, display: `userdel ${o.name}` } });
  }
  if (!u) return create(o);
  const list: string[] = [];
  const flags: string[] = [];
  if (o.uid !== undefined && u.uid !== o.uid) list.push(`uid ${u.uid} → ${o.uid}`), flags.push(`--uid ${o.uid}`);
  if (o.group !== undefined && o.group !== u.group && o.group !== String(u.gid)) list.push(`group ${u.group} → ${o.group}`), flags.push(`--gid ${quote(o.group)}`);
  if (o.home !== undefined && u.home !== o.home) list.push(`home ${u.home} → ${o.home}`), flags.push(`--home ${quote(o.home)}`);
  if (o.shell !== undefined && u.shell !== o.shell) list.push(`shell ${u.shell} → ${o.shell}`), flags.push(`--shell ${quote(o.shell)}`);
  if (o.comment !== undefined && u.comment !== o.comment) list.push(`comment "${u.comment}" → "${o.comment}"`), flags.push(`--comment ${quote(o.comment)}`);
  const add = (o.groups ?? []).filter((g) => !u.groups.includes(g));
  if (add.length) list.push(`add to groups ${add.join(', ')}`), flags.push(`--append --groups ${quote(add.join(','))}`);
  if (!list.length) return noop(`user ${o.name} present (uid ${u.uid}, group ${u.group}, home ${u.home}, shell ${u.shell})`);
  return changes(list, { state: { script: `usermod ${flags.join(' ')} -- ${n}`, display: `usermod ${o.name}` } });
}

export const userType: TaskType<UserOptions, { user: UserEntry | undefined }, UserState> = {
  name: 'system.user',
  describe: (o) => o.name,
  validate(o) {
    requireObject('user', o);
    accountName('name', o.name);
    if (/^\d+$/.test(o.name)) fail('name', 'a name, not a number', o.name);
    optionalBoolean('system', o.system);
    if (o.home !== undefined) absolutePath('home', o.home, true);
    noColon('home', o.home);
    optionalBoolean('createHome', o.createHome);
    if (o.shell !== undefined) absolutePath('shell', o.shell, true);
    noColon('shell', o.shell);
    optionalAccount('group', o.group);
    if (o.groups !== undefined && !Array.isArray(o.groups)) fail('groups', 'an array of group names', o.groups);
    o.groups?.forEach((g, i) => accountName(`groups[${i}]`, g));
    optionalId('uid', o.uid);
    optionalString('comment', o.comment);
    noColon('comment', o.comment);
    oneOf('state', o.state, ['present', 'absent']);
  },
  facts: (o) => ({ user: userFact(o.name) }),
  check: (f, o) => checkUser(f.user, o),
  apply: (plan) => [plan.state!],
  // useradd may create the user's own group and its home directory
  touches: (o) => [
    `user:${o.name}`,
    ...(o.group === o.name ? [`group:${o.name}`] : []),
    ...((o.createHome ?? !o.system) ? [`tree:${o.home ?? `/home/${o.name}`}`] : []),
  ],
};

/**
 * A Unix account.
 * @example user({ name: 'deploy', group: 'deploy', groups: ['www-data'], shell: '/bin/bash' })
 */
export const user = defineTask(userType);
