/**
 * `git.checkout`: a working tree at `dest` checked out (detached) at the commit a branch, tag or commit
 * names. Facts: the local HEAD and, for a branch or tag, the remote's commit (`git ls-remote`); the task
 * changes only when they differ. Needs git on the host: put `apt({ packages: 'git' })` before it.
 */
import { changes, defineTask, errors, noop, quote, type Command, type FactRequest, type Plan, type TaskType } from '@runbook/core';
import { absolutePath, fail, optionalAccount, optionalBoolean, requireObject, requireString } from './options.js';

export interface GitOptions {
  /**
   * Repository URL or path (ssh, https, file://, or a path on the host).
   * @example 'git@github.com:acme/shop.git'
   */
  repo: string;
  /**
   * Absolute path of the working tree.
   * @example '/srv/shop/releases/20240501120000'
   */
  dest: string;
  /**
   * Branch, tag or full 40-hex commit.
   * @example 'main'
   * @example 'v1.4.2'
   */
  ref: string;
  /**
   * Shallow fetch of this many commits.
   * @default undefined (full history)
   * @example 1
   */
  depth?: number;
  /**
   * `chown -R` the working tree to this user after a checkout (git itself runs as the task's user).
   * @default undefined
   * @example 'deploy'
   */
  owner?: string;
  /**
   * Authenticate with the SSH agent forwarded to the host: fail early, with a clear message, when the
   * host has no `SSH_AUTH_SOCK`. (Agent forwarding is a property of the connection.)
   * @default false
   * @example true
   */
  sshAgent?: boolean;
}

export interface GitLocal {
  state: 'absent' | 'empty' | 'repo' | 'other';
  head?: string;
  url?: string;
  uid?: number;
  owner?: string;
}

/** `sha\trefname` lines of `git ls-remote`, or undefined when the ref is a commit (nothing to resolve). */
export type GitRemote = Record<string, string> | undefined;

const SHA = /^[0-9a-f]{40}$/;
const GIT_ENV = `export GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new'`;
// root working on a tree owned by someone else: git ≥ 2.35.2 would refuse it as "dubious ownership"
const G = `git -c safe.directory='*' -C "$d"`;

function localFact(dest: string): FactRequest<GitLocal> {
  return {
    command: [
      `d=${quote(dest)}`,
      `if [ ! -e "$d" ]; then echo absent; exit 0; fi`,
      `o=$(stat -c '%u|%U' -- "$d")`,
      `if [ -d "$d" ] && [ -z "$(ls -A -- "$d")" ]; then echo "empty|$o"; exit 0; fi`,
      `if [ ! -e "$d/.git" ]; then echo "other|$o"; exit 0; fi`,
      `echo "repo|$o"; ${G} rev-parse -q --verify HEAD || echo; ${G} config --get remote.origin.url || echo`,
    ].join('\n'),
    parse(out) {
      if (out.code !== 0) throw errors.fact(`cannot inspect ${dest}: ${out.stderr.trim()}`);
      const [first, head, url] = out.stdout.split('\n');
      const [state, uid, owner] = first.split('|');
      if (!['absent', 'empty', 'repo', 'other'].includes(state)) throw errors.fact(`unexpected output: ${first}`);
      return { state: state as GitLocal['state'], head: head || undefined, url: url || undefined, uid: uid ? Number(uid) : undefined, owner };
    },
  };
}

function remoteFact(o: GitOptions): FactRequest<GitRemote> {
  return {
    command: `${GIT_ENV}\ngit ls-remote -- ${quote(o.repo)} ${quote(o.ref)} ${quote(`${o.ref}^{}`)}`,
    parse(out) {
      if (out.code === 127) {
        throw errors.missing('E_FACT', 'git is not installed on the host (install it with apt first)', 'git',
          [`clone ${o.repo} into ${o.dest} at ${o.ref} (or check it out there)`]);
      }
      if (out.code !== 0) throw errors.fact(`git ls-remote ${o.repo} failed: ${out.stderr.trim().split('\n').pop()}`);
      const refs: Record<string, string> = {};
      for (const l of out.stdout.split('\n')) {
        const [sha, name] = l.split('\t');
        if (name && SHA.test(sha)) refs[name] = sha;
      }
      return refs;
    },
  };
}

/** The commit and the name to fetch it by, from the ls-remote output. */
export function resolveRef(ref: string, remote: GitRemote): { commit: string; fetch: string } | undefined {
  if (remote === undefined) return { commit: ref, fetch: ref };
  const candidates: [string, string][] = [
    [`refs/heads/${ref}`, `refs/heads/${ref}`],
    [`refs/tags/${ref}^{}`, `refs/tags/${ref}`], // annotated tag: the commit it points at
    [`refs/tags/${ref}`, `refs/tags/${ref}`],
    [`${ref}^{}`, ref],
    [ref, ref],
  ];
  for (const [name, fetch] of candidates) if (remote[name]) return { commit: remote[name], fetch };
  return undefined;
}

interface GitState {
  commit: string;
  fetch: string;
  checkout: boolean;
}

const short = (sha?: string): string => (sha ? sha.slice(0, 10) : 'nothing');

function check(f: { local: GitLocal; remote?: GitRemote }, o: GitOptions): Plan<GitState> {
  const target = resolveRef(o.ref, f.remote);
  if (!target) throw errors.options(`ref: ${o.ref} is neither a branch nor a tag of ${o.repo} (a commit must be given in full, 40 hex digits)`, { key: 'ref' });
  const { local } = f;
  if (local.state === 'other') throw errors.options(`dest: ${o.dest} exists and is not a git working tree (nor an empty directory)`, { key: 'dest' });
  const at = `${o.ref}${o.ref === target.commit ? '' : ` (${short(target.commit)})`}`;
  const list: string[] = [];
  if (local.state !== 'repo') list.push(`clone ${o.repo} into ${o.dest} at ${at}`);
  else {
    if (local.url !== o.repo) list.push(`origin ${local.url ?? '(none)'} → ${o.repo}`);
    if (local.head !== target.commit) list.push(`checkout ${at}, was ${short(local.head)}`);
  }
  const checkout = local.state !== 'repo' || local.head !== target.commit;
  const ownerDiffers = o.owner !== undefined && local.owner !== o.owner && String(local.uid) !== o.owner;
  // after a checkout the tree is chowned anyway; without one, a wrong owner is a change of its own
  if (local.state === 'repo' && !checkout && ownerDiffers) list.push(`owner ${local.owner} → ${o.owner}`);
  if (list.length === 0) return noop(`${o.dest} at ${at}`);
  return changes(list, { state: { ...target, checkout } });
}

function apply(s: GitState, o: GitOptions): Command[] {
  const lines = [GIT_ENV, `d=${quote(o.dest)}`];
  if (o.sshAgent) lines.push(`[ -n "\${SSH_AUTH_SOCK:-}" ] || { echo "sshAgent: no SSH_AUTH_SOCK on the host (is agent forwarding on?)" >&2; exit 1; }`);
  lines.push(
    `if [ ! -e "$d/.git" ]; then mkdir -p -- "$d"; git init -q -- "$d"; ${G} remote add origin ${quote(o.repo)}`,
    `else ${G} remote set-url origin ${quote(o.repo)}; fi`,
    // re-tested: a tree already at the commit is left alone
    `if [ "$(${G} rev-parse -q --verify HEAD || :)" != ${s.commit} ]; then`,
    `  ${G} fetch -q ${o.depth ? `--depth ${o.depth} ` : ''}origin ${quote(s.fetch)}`,
    `  ${G} checkout -q --force --detach ${s.commit}`,
    'fi',
  );
  if (o.owner !== undefined) lines.push(`chown -R ${quote(o.owner)} -- "$d"`);
  return [{ script: lines.join('\n'), display: `git checkout ${o.repo}@${o.ref} → ${o.dest}` }];
}

export const gitType: TaskType<GitOptions, { local: GitLocal; remote?: GitRemote }, GitState> = {
  name: 'git.checkout',
  describe: (o) => `${o.dest} @ ${o.ref}`,
  validate(o) {
    requireObject('git', o);
    requireString('repo', o.repo);
    if (o.repo.startsWith('-') || /[\n\0]/.test(o.repo)) fail('repo', 'a repository URL or path', o.repo);
    absolutePath('dest', o.dest);
    requireString('ref', o.ref);
    if (o.ref.startsWith('-') || /[\s\0~^:?*[\\]|\.\.|@\{/.test(o.ref)) fail('ref', 'a branch, tag or commit name', o.ref);
    if (o.depth !== undefined && (!Number.isInteger(o.depth) || o.depth < 1)) fail('depth', 'a positive integer', o.depth);
    optionalAccount('owner', o.owner);
    optionalBoolean('sshAgent', o.sshAgent);
  },
  facts: (o) => (SHA.test(o.ref) ? { local: localFact(o.dest) } : { local: localFact(o.dest), remote: remoteFact(o) }) as never,
  check: (f, o) => check(f, o),
  apply: (plan, o) => apply(plan.state!, o),
  touches: (o) => [`tree:${o.dest}`],
};

/**
 * A working tree at a branch, tag or commit.
 * @example git({ repo: 'https://github.com/acme/shop.git', dest: '/srv/shop/src', ref: 'main', depth: 1, owner: 'deploy' })
 */
export const git = defineTask(gitType);
