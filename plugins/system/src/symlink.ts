/** `file.symlink`: a symbolic link pointing at a target, replaced atomically when it points elsewhere. */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { changes, defineTask, errors, noop, quote, type Command, type TaskType } from '@runbook/core';
import { accountMatches, fileFact, type FileState } from './file-fact.js';
import { absolutePath, optionalAccount, optionalBoolean, requireObject, requireString } from './options.js';
import { ownershipScript, type Ownership } from './ownership.js';

export interface SymlinkOptions {
  /**
   * Absolute path of the link.
   * @example '/srv/myapp/current'
   */
  path: string;
  /**
   * What the link points at, absolute or relative to the link's directory; need not exist.
   * @example '/srv/myapp/releases/20240501120000'
   */
  target: string;
  /**
   * Owner of the link itself (`chown -h`).
   * @default undefined (kept, also when the link is switched; the task's user for a new link)
   * @example 'deploy'
   */
  owner?: string;
  /**
   * Group of the link itself.
   * @default undefined
   * @example 'deploy'
   */
  group?: string;
  /**
   * Replace a regular file found at `path`. A directory there is always an error.
   * @default false
   * @example true
   */
  force?: boolean;
}

interface LinkState {
  link: boolean;
  fix?: Ownership;
}

function check(f: FileState, o: SymlinkOptions) {
  const own: Ownership = { owner: o.owner, group: o.group };
  const ownOk = f.kind !== 'symlink' || (accountMatches(o.owner, f.uid, f.owner) && accountMatches(o.group, f.gid, f.group));
  if (f.kind === 'symlink' && f.target === o.target) {
    if (ownOk) return noop(`${o.path} → ${o.target}, owner ${f.owner}:${f.group}`);
    return changes<LinkState>([`owner ${f.owner}:${f.group} → ${o.owner ?? f.owner}:${o.group ?? f.group}`], { state: { link: false, fix: own } });
  }
  if (f.kind === 'directory' || f.kind === 'other') {
    throw errors.options(`path: ${o.path} is a ${f.kind === 'other' ? 'special file' : 'directory'}; not replacing it with a link`, { key: 'path' });
  }
  if (f.kind === 'file' && !o.force) {
    throw errors.options(`path: ${o.path} is a regular file; set force: true to replace it with a link`, { key: 'path' });
  }
  const what = f.kind === 'absent' ? `link ${o.path} → ${o.target}`
    : f.kind === 'file' ? `replace file ${o.path} with link → ${o.target}`
    : `relink ${o.path}: ${f.target} → ${o.target}`;
  return changes<LinkState>([what], { state: { link: true, fix: own } });
}

function apply(s: LinkState, o: SymlinkOptions): Command[] {
  const own = ownershipScript(s.link ? '"$tmp"' : quote(o.path), s.fix ?? {}, { noDeref: true });
  if (!s.link) return [{ script: own.join('\n'), display: `chown -h ${o.path}` }];
  const dir = posix.dirname(o.path);
  const script = [
    `tmp=${quote(`${dir === '/' ? '' : dir}/.rb.${randomBytes(6).toString('hex')}`)}`,
    `trap 'rm -f -- "$tmp"' EXIT`,
    `ln -sfn -- ${quote(o.target)} "$tmp"`,
    // the new link keeps the owner of what it replaces (stat without -L: the old link itself), as a
    // rewritten file does; an owner/group given in the options then overrides it
    `if [ -L ${quote(o.path)} ] || [ -e ${quote(o.path)} ]; then chown -h "$(stat -c %u:%g -- ${quote(o.path)})" -- "$tmp" 2>/dev/null || :; fi`,
    ...own,
    // rename over the old link (or file): readers see the old target or the new one, never nothing
    `mv -Tf -- "$tmp" ${quote(o.path)}`,
    'trap - EXIT',
  ].join('\n');
  return [{ script, display: `ln -s ${o.target} ${o.path}` }];
}

export const symlinkType: TaskType<SymlinkOptions, { link: FileState }, LinkState> = {
  name: 'file.symlink',
  describe: (o) => `${o.path} → ${o.target}`,
  validate(o) {
    requireObject('symlink', o);
    absolutePath('path', o.path);
    requireString('target', o.target);
    if (o.target.includes('\0')) throw errors.options('target: expected a path without NUL bytes', { key: 'target' });
    optionalAccount('owner', o.owner);
    optionalAccount('group', o.group);
    optionalBoolean('force', o.force);
  },
  facts: (o) => ({ link: fileFact(o.path, 0) }),
  check: (facts, o) => check(facts.link, o),
  apply: (plan, o) => apply(plan.state!, o),
  // the fact reads the link itself, never what it points to
  touches: (o) => [`path:${o.path}`],
};

/**
 * A symbolic link, switched atomically (`ln -sfn` to a temp name, then `mv -T`).
 * @example symlink({ path: '/srv/myapp/current', target: '/srv/myapp/releases/20240501120000' })
 */
export const symlink = defineTask(symlinkType);
