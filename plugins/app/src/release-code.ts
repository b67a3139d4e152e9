/**
 * `app.release`: the release directory with its code, made once. The code is put together in a temp
 * directory next to it (`git fetch` + checkout on the host, or a tarball from the control machine),
 * gets a `REVISION` file with its commit and the app user as owner, and is then renamed into place:
 * a release directory either has all of its code and a REVISION, or it is not there. A release that has
 * a REVISION is never touched again (release ids are not reused).
 */
import { changes, defineTask, noop, quote, RunbookError, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, type AppState } from './app-state.js';
import { noSpaceReport } from './no-space.js';

export type ReleaseSource = { git: { repo: string; ref: string } } | { tarball: Buffer; commit: string };

export interface ReleaseCodeOptions {
  root: string;
  /** the release id @example '20261124T061100Z' */
  id: string;
  owner: string;
  group: string;
  source: ReleaseSource;
}

const releasePath = (o: ReleaseCodeOptions): string => `${o.root}/releases/${o.id}`;
const short = (c: string): string => c.slice(0, 10);

/** A repository reached over ssh (`ssh://…`, `user@host:path`), where a forwarded agent may hold the key. */
export const overSsh = (repo: string): boolean => /^ssh:\/\//.test(repo) || (!/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && /^[^/:]+:/.test(repo));

/** After a failed command whose stderr is in `$rb_err`: pass it on, and on ENOSPC say so and stop. */
const reportNoSpace = (root: string): string[] => [...noSpaceReport(`${root}/releases`).map((l) => `  ${l}`), '  [ -z "$rb_nospace" ] || exit 1'];

function fetchScript(repo: string, ref: string, root: string): string[] {
  const failed = `git fetch ${repo} ${ref} failed`;
  // over ssh, say whether an agent came with the connection: the usual cause is none (or not its key)
  const hint = overSsh(repo)
    ? [
        `  if [ -z "\${SSH_AUTH_SOCK:-}" ]; then`,
        `    printf '%s\\n' ${quote(`${failed}: no ssh agent was forwarded to this host (SSH_AUTH_SOCK is not set): connect with ForwardAgent yes (forwardAgent) and an ssh-agent on the control machine that holds the repository's key (ssh-add), or give root on the host a deploy key`)} >&2`,
        `  else`,
        `    printf '%s (%s)\\n' ${quote(`${failed} with the forwarded ssh agent: is the repository's key loaded (ssh-add -l)?`)} "$(ssh-add -l 2>&1 | head -n 3 | tr '\\n' ' ')" >&2`,
        `  fi`,
      ]
    : [`  printf '%s\\n' ${quote(failed)} >&2`];
  return [
    `export GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new'`,
    `git init -q -- "$tmp"`,
    `if ! rb_err=$(git -C "$tmp" fetch -q --depth 1 -- ${quote(repo)} ${quote(ref)} 2>&1); then`,
    ...reportNoSpace(root),
    ...hint,
    `  exit 1`,
    `fi`,
    `if ! rb_err=$(git -C "$tmp" checkout -q --detach FETCH_HEAD 2>&1); then`,
    ...reportNoSpace(root),
    `  exit 1`,
    `fi`,
    `git -C "$tmp" rev-parse HEAD > "$tmp/REVISION"`,
    // a release is a tree, not a repository (as with an upload)
    `rm -rf -- "$tmp/.git"`,
  ];
}

function tarballScript(tarball: Buffer, commit: string, root: string): string[] {
  return [
    // tar's stderr kept in memory (no room for a file on a full disk); the here-document inside $( )
    `if ! rb_err=$(base64 -d <<'__RB_EOF' | tar -xzf - -C "$tmp" 2>&1`,
    tarball.toString('base64').match(/.{1,76}/g)?.join('\n') ?? '',
    '__RB_EOF',
    '); then',
    ...reportNoSpace(root),
    '  exit 1',
    'fi',
    `printf '%s\\n' ${quote(commit)} > "$tmp/REVISION"`,
  ];
}

export const releaseCodeType: TaskType<ReleaseCodeOptions, { state: AppState }> = {
  name: 'app.release',
  describe: (o) => releasePath(o),
  validate(o) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.id)) throw new RunbookError('E_OPTIONS', `id: expected a release id (letters, digits, . _ -), got ${JSON.stringify(o.id)}`);
  },
  facts: (o) => ({ state: appStateFact(o.root, o.id) }),
  check({ state }, o) {
    if (!state.root) throw new RunbookError('E_COMMAND', `${o.root} does not exist: run configure first`);
    if (state.revision) {
      const want = 'commit' in o.source ? o.source.commit : undefined;
      if (want && state.revision !== want) {
        throw new RunbookError('E_COMMAND', `release ${o.id} already exists with commit ${short(state.revision)}, not ${short(want)}: release ids are not reused`);
      }
      return noop(`release ${o.id} has its code (commit ${short(state.revision)})`);
    }
    if (currentRelease(state, o.root) === o.id) throw new RunbookError('E_COMMAND', `current points at ${releasePath(o)}, which has no REVISION: not replacing a live release`);
    const what = 'git' in o.source ? `clone ${o.source.git.repo} at ${o.source.git.ref}` : `unpack commit ${short(o.source.commit)} (${Math.ceil(o.source.tarball.length / 1024)} KiB)`;
    const partial = state.releases.includes(o.id) ? ` (replacing an incomplete ${o.id})` : '';
    return changes([`${what} into ${releasePath(o)}${partial}`]);
  },
  apply(_plan, o) {
    const rel = quote(releasePath(o));
    const script = [
      `rel=${rel}`,
      `[ ! -f "$rel/REVISION" ] || exit 0`,
      `tmp=$(mktemp -d ${quote(`${o.root}/releases/.rb.XXXXXX`)})`,
      `trap 'rm -rf -- "$tmp"' EXIT`,
      ...('git' in o.source ? fetchScript(o.source.git.repo, o.source.git.ref, o.root) : tarballScript(o.source.tarball, o.source.commit, o.root)),
      `chmod 0755 -- "$tmp"`,
      `chown -R ${quote(`${o.owner}:${o.group}`)} -- "$tmp"`,
      // what an interrupted deploy left (no REVISION, not current) goes; then the rename
      `rm -rf -- "$rel"`,
      `mv -T -- "$tmp" "$rel"`,
    ].join('\n');
    const display = 'git' in o.source ? `git fetch ${o.source.git.repo} ${o.source.git.ref} → ${releasePath(o)}` : `unpack ${short(o.source.commit)} → ${releasePath(o)}`;
    // git over ssh as root: the login session's forwarded agent is kept through sudo (Command.agent)
    return [{ script, display, ...('git' in o.source && overSsh(o.source.git.repo) ? { agent: true } : {}) }];
  },
};

/**
 * A release directory with its code and a REVISION file, made once and atomically.
 * @example releaseCode({ root: '/srv/shop', id: '20261124T061100Z', owner: 'shop', group: 'shop', source: { git: { repo: 'https://github.com/acme/shop.git', ref: 'main' } } })
 */
export const releaseCode = defineTask(releaseCodeType);
