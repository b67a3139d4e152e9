/** `file.directory`: a directory with this mode and owner, or no directory at all. */
import { ancestorKeys, changes, defineTask, errors, noop, quote, type Command, type TaskType } from '@runbook/core';
import { describeState, fileFact, type FileState } from './file-fact.js';
import { absolutePath, normalizeMode, oneOf, optionalAccount, optionalBoolean, requireObject } from './options.js';
import { describeOwnership, ownershipChanges, ownershipDelta, type Ownership } from './ownership.js';

export interface DirectoryOptions {
  /**
   * Absolute path of the directory.
   * @example '/srv/myapp/releases'
   */
  path: string;
  /**
   * Octal mode. Unset: an existing directory keeps its mode, a new one gets 0755.
   * @default undefined
   * @example '0750'
   */
  mode?: string | number;
  /**
   * Owner (name or uid) of the directory itself (not its content).
   * @default undefined (kept; the task's user for a new directory)
   * @example 'deploy'
   */
  owner?: string;
  /**
   * Group (name or gid).
   * @default undefined
   * @example 'www-data'
   */
  group?: string;
  /**
   * Create missing parent directories too (`mkdir -p`; parents get mode 0755 and the task's user).
   * @default false
   * @example true
   */
  recursive?: boolean;
  /**
   * `absent` removes the directory and everything in it.
   * @default 'present'
   * @example 'absent'
   */
  state?: 'present' | 'absent';
}

interface DirState {
  create?: boolean;
  remove?: boolean;
  fix?: Ownership;
}

const want = (o: DirectoryOptions): Ownership => ({ mode: normalizeMode('mode', o.mode), owner: o.owner, group: o.group });

function check(f: FileState, o: DirectoryOptions) {
  if (o.state === 'absent') {
    if (f.kind === 'absent') return noop(`${o.path} absent`);
    return changes<DirState>([`remove ${f.kind === 'directory' ? 'directory' : f.kind} ${o.path}`], { state: { remove: true } });
  }
  if (f.kind === 'absent') {
    const attrs = describeOwnership(want(o));
    return changes<DirState>([`create ${o.path}${o.recursive ? ' (with parents)' : ''}${attrs ? ` (${attrs})` : ''}`], {
      state: { create: true, fix: want(o) },
    });
  }
  if (f.kind !== 'directory') {
    throw errors.options(`path: ${o.path} exists and is a ${f.kind === 'file' ? 'regular file' : f.kind}, not a directory`, { key: 'path' });
  }
  const fix = ownershipDelta(f, want(o));
  if (!fix) return noop(`${o.path} present, ${describeState(f)}`);
  return changes<DirState>(ownershipChanges(f, want(o)), { state: { fix } });
}

/** What one directory change needs, for the grouped script. */
interface DirChange extends Ownership {
  path: string;
  create: boolean;
  recursive: boolean;
}

/**
 * One script for consecutive directory changes: the missing directories made by one `mkdir` per run of
 * the same kind (plain, or with parents), then one `chown` per owner and one `chmod` per mode for all of
 * them, where each directory used to start three programs.
 */
export function directoriesScript(ds: DirChange[], mark: (index: number) => string = () => ':'): string {
  // modes and owners are set after every mkdir, so no directory is done before the last command: any
  // failure is reported on the first one
  const lines: string[] = [mark(0)];
  ds.forEach((d, i) => {
    if (!d.create) return;
    const prev = ds[i - 1];
    if (!prev?.create || prev.recursive !== d.recursive) lines.push('set --');
    lines.push(`[ -d ${quote(d.path)} ] || set -- "$@" ${quote(d.path)}`);
    const next = ds[i + 1];
    if (!next?.create || next.recursive !== d.recursive) lines.push(`[ $# -eq 0 ] || mkdir ${d.recursive ? '-p ' : ''}-- "$@"`);
  });
  const byOwner = new Map<string, string[]>();
  const byMode = new Map<string, string[]>();
  for (const d of ds) {
    if (d.owner !== undefined || d.group !== undefined) {
      const spec = `${d.owner ?? ''}${d.group !== undefined ? `:${d.group}` : ''}`;
      byOwner.set(spec, [...(byOwner.get(spec) ?? []), quote(d.path)]);
    }
    if (d.mode !== undefined) byMode.set(d.mode, [...(byMode.get(d.mode) ?? []), quote(d.path)]);
  }
  for (const [spec, paths] of byOwner) lines.push(`chown ${quote(spec)} -- ${paths.join(' ')}`);
  for (const [mode, paths] of byMode) lines.push(`chmod ${mode} -- ${paths.join(' ')}`);
  return lines.join('\n');
}

function apply(s: DirState, o: DirectoryOptions): Command[] {
  if (s.remove) return [{ script: `rm -rf -- ${quote(o.path)}`, display: `rm -rf ${o.path}` }];
  const change: DirChange = { path: o.path, create: Boolean(s.create), recursive: Boolean(o.recursive), ...s.fix };
  return [{
    script: directoriesScript([change]),
    display: `${s.create ? 'mkdir' : 'chmod/chown'} ${o.path}`,
    group: { kind: 'file.directory', arg: change, script: (args, mark) => directoriesScript(args as DirChange[], mark) },
  }];
}

export const directoryType: TaskType<DirectoryOptions, { dir: FileState }, DirState> = {
  name: 'file.directory',
  describe: (o) => o.path,
  validate(o) {
    requireObject('directory', o);
    absolutePath('path', o.path);
    normalizeMode('mode', o.mode);
    optionalAccount('owner', o.owner);
    optionalAccount('group', o.group);
    optionalBoolean('recursive', o.recursive);
    oneOf('state', o.state, ['present', 'absent']);
  },
  facts: (o) => ({ dir: fileFact(o.path, 0) }),
  check: (facts, o) => check(facts.dir, o),
  apply: (plan, o) => apply(plan.state!, o),
  // removal takes what is inside; `mkdir -p` may create the parents
  touches: (o) => (o.state === 'absent' ? [`tree:${o.path}`] : o.recursive ? [...ancestorKeys(o.path), `path:${o.path}`] : [`path:${o.path}`]),
};

/**
 * A directory (or its absence).
 * @example directory({ path: '/srv/myapp/shared', owner: 'deploy', mode: '0750', recursive: true })
 */
export const directory = defineTask(directoryType);
