/**
 * `app.release`: the release directory with its code, made once. The code is put together in a temp
 * directory next to it (`git fetch` + checkout on the host, or a tarball from the control machine),
 * gets a `REVISION` file with its commit and the app user as owner, and is then renamed into place:
 * a release directory either has all of its code and a REVISION, or it is not there. A release that has
 * a REVISION is never touched again (release ids are not reused).
 * An upload whose tree equals that of a release on the host is not sent again: that release's files
 * (the list its unpack wrote to `.rb-files`, nothing it gained at run time) are hard-linked into the new
 * one (`cp -al`; releases are never changed in place, so they may share inodes). A changed file
 * makes another tree: the tarball is sent.
 */
import { changes, defineTask, noop, quote, RunbookError, type TaskType } from '@runbook/core';
import { appStateFact, currentRelease, type AppState } from './app-state.js';
import { noSpaceReport } from './no-space.js';
import { STATIC_INPUTS_AWK } from './static-key.js';

/** `tree`: the git tree id of the tarball's content; a release with the same tree is copied on the host instead of sending the tarball. */
export type ReleaseSource = { git: { repo: string; ref: string } } | { tarball: Buffer; commit: string; tree?: string };

/** The plan's state: the earlier release whose code (same tree) is copied, when there is one. */
export interface ReleaseCodePlan {
  from?: string;
}

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
    // what collectstatic reads, hashed here where the tree is (static-key.ts): equal hashes may share static files
    `git -C "$tmp" ls-tree -r HEAD | awk -F '\t' ${quote(STATIC_INPUTS_AWK)} | sha256sum | cut -c1-16 > "$tmp/.rb-static-inputs"`,
    // a release is a tree, not a repository (as with an upload)
    `rm -rf -- "$tmp/.git"`,
  ];
}

/** What a later release with the same tree copies: the unpacked file list, and the tree id. */
const treeFiles = (tree?: string): string[] => (tree ? [`printf '%s\\n' ${quote(tree)} > "$tmp/.rb-tree"`] : []);

function tarballScript(tarball: Buffer, commit: string, root: string, tree?: string): string[] {
  return [
    // tar's stderr kept in memory (no room for a file on a full disk); the here-document inside $( );
    // the names it unpacked go to .rb-files (what a release of the same tree copies)
    `if ! rb_err=$(base64 -d <<'__RB_EOF' | tar -xzf - -C "$tmp" --verbose --quoting-style=literal --index-file="$tmp/.rb-files" 2>&1`,
    tarball.toString('base64').match(/.{1,76}/g)?.join('\n') ?? '',
    '__RB_EOF',
    '); then',
    ...reportNoSpace(root),
    '  exit 1',
    'fi',
    `printf '%s\\n' ${quote(commit)} > "$tmp/REVISION"`,
    ...treeFiles(tree),
  ];
}

/** The code of release `from` (same tree), hard-linked: only the files its unpack listed. */
function copyScript(from: string, commit: string, root: string, tree?: string): string[] {
  return [
    `src=${quote(`${root}/releases/${from}`)}`,
    `[ -f "$src/REVISION" ] && [ -f "$src/.rb-files" ] || { printf '%s\\n' ${quote(`release ${from} (the code this one copies) is gone: deploy again`)} >&2; exit 1; }`,
    // directories are made by --parents; listed ones (ending in /) are not copied whole
    `if ! rb_err=$(cd -- "$src" && grep -v '/$' .rb-files | xargs -d '\\n' -r cp -al --parents -t "$tmp" -- 2>&1); then`,
    ...reportNoSpace(root),
    '  exit 1',
    'fi',
    'cp -- "$src/.rb-files" "$tmp/.rb-files"',
    `printf '%s\\n' ${quote(commit)} > "$tmp/REVISION"`,
    ...treeFiles(tree),
  ];
}

/** A complete earlier release whose code has `tree`: current first, else the newest. */
export function sameTree(state: AppState, root: string, tree?: string): string | undefined {
  if (!tree || !state.trees) return undefined;
  const ids = Object.keys(state.trees).filter((id) => state.trees![id] === tree).sort();
  const cur = currentRelease(state, root);
  return cur && ids.includes(cur) ? cur : ids.at(-1);
}

export const releaseCodeType: TaskType<ReleaseCodeOptions, { state: AppState }, ReleaseCodePlan> = {
  name: 'app.release',
  describe: (o) => releasePath(o),
  validate(o) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.id)) throw new RunbookError('E_OPTIONS', `id: expected a release id (letters, digits, . _ -), got ${JSON.stringify(o.id)}`);
  },
  facts: (o) => ({ state: appStateFact(o.root, o.id) }),
  // its plan reads the releases (their REVISION and tree) and current; it makes its own release
  touches: (o) => [`tree:${releasePath(o)}`, `path:${o.root}/current`],
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
    const from = 'tree' in o.source ? sameTree(state, o.root, o.source.tree) : undefined;
    const what = 'git' in o.source
      ? `clone ${o.source.git.repo} at ${o.source.git.ref}`
      : from ? `copy the code of release ${from} (same tree ${short(o.source.tree!)}, nothing sent) for commit ${short(o.source.commit)}` : `unpack commit ${short(o.source.commit)} (${Math.ceil(o.source.tarball.length / 1024)} KiB)`;
    const partial = state.releases.includes(o.id) ? ` (replacing an incomplete ${o.id})` : '';
    return changes<ReleaseCodePlan>([`${what} into ${releasePath(o)}${partial}`], { state: from ? { from } : {} });
  },
  apply(plan, o) {
    const from = plan.state?.from;
    const rel = quote(releasePath(o));
    const script = [
      `rel=${rel}`,
      `[ ! -f "$rel/REVISION" ] || exit 0`,
      `tmp=$(mktemp -d ${quote(`${o.root}/releases/.rb.XXXXXX`)})`,
      `trap 'rm -rf -- "$tmp"' EXIT`,
      ...('git' in o.source
        ? fetchScript(o.source.git.repo, o.source.git.ref, o.root)
        : from ? copyScript(from, o.source.commit, o.root, o.source.tree) : tarballScript(o.source.tarball, o.source.commit, o.root, o.source.tree)),
      `chmod 0755 -- "$tmp"`,
      `chown -R ${quote(`${o.owner}:${o.group}`)} -- "$tmp"`,
      // what an interrupted deploy left (no REVISION, not current) goes; then the rename
      `rm -rf -- "$rel"`,
      `mv -T -- "$tmp" "$rel"`,
    ].join('\n');
    const display = 'git' in o.source
      ? `git fetch ${o.source.git.repo} ${o.source.git.ref} → ${releasePath(o)}`
      : `${from ? `copy ${from}` : 'unpack'} ${short(o.source.commit)} → ${releasePath(o)}`;
    // git over ssh as root: the login session's forwarded agent is kept through sudo (Command.agent)
    return [{ script, display, ...('git' in o.source && overSsh(o.source.git.repo) ? { agent: true } : {}) }];
  },
};

/**
 * A release directory with its code and a REVISION file, made once and atomically.
 * @example releaseCode({ root: '/srv/shop', id: '20261124T061100Z', owner: 'shop', group: 'shop', source: { git: { repo: 'https://github.com/acme/shop.git', ref: 'main' } } })
 */
export const releaseCode = defineTask(releaseCodeType);
