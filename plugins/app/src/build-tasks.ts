/**
 * The build and migrate stages of a release: the venv (shared by releases with the same
 * dependencies, release-venv.ts), the shared links, collectstatic and migrations. Each step is guarded
 * by a marker in the release (or the file it makes), so a second deploy of the same release id redoes
 * none of it; each names a full disk when it hits one (app.step).
 * The build's commands get the release's own STATIC_ROOT (`<release>/<staticDir>`): collected static
 * files belong to the release, so they go live with its switch and come back with a rollback.
 */
import { quote, type Task } from '@runbook/core';
import { directory, symlink } from '@runbook/system';
import { buildStep } from './build-step.js';
import type { EnvValues } from './env-file.js';
import type { ResolvedAppOptions } from './options.js';
import { releaseVenv, venvsDir } from './release-venv.js';

export interface BuildContext {
  o: ResolvedAppOptions;
  /** the release directory */
  rel: string;
  shared: string;
  /** the .env values the app's commands run with */
  env: EnvValues;
  /** the control machine's part of the static key (static-key.ts); without it, collectstatic always runs */
  staticKey?: string;
  /** the release's static input files are hashed on the host (a git source: `.rb-static-inputs`) */
  staticInputsOnHost?: boolean;
}

/** argv with its program taken from the release's venv: `python` → `<rel>/.venv/bin/python`. */
export function venvArgv(rel: string, argv: string[]): string[] {
  const [program, ...args] = argv;
  const bin = program === 'python3' ? 'python' : program;
  return [bin.includes('/') ? bin : `${rel}/.venv/bin/${bin}`, ...args];
}

/** The env of the build's commands: the app's, with the release's own STATIC_ROOT. */
export const buildEnv = (b: BuildContext): EnvValues => ({ ...b.env, STATIC_ROOT: `${b.rel}/${b.o.staticDir}` });

/**
 * collectstatic, or a hard-linked copy of the static files of an earlier release with the same key
 * (static-key.ts: the control machine's part, then the release's venv and, with system site packages,
 * dpkg's status mtime); the key goes to `.rb-static` once the files are complete.
 */
export function staticScript(b: BuildContext, line: string[], key: string): string {
  const dir = quote(b.o.staticDir);
  return [
    `rb_key=${quote(key)}-$(rb_v=$(readlink -- .venv) && basename -- "$rb_v")${b.o.systemSitePackages ? '-$(stat -c %Y /var/lib/dpkg/status)' : ''}`,
    // no hash of the release's files (a release made before they were hashed): no key, collect
    ...(b.staticInputsOnHost ? ['if [ -f .rb-static-inputs ] && read -r rb_f < .rb-static-inputs && [ -n "$rb_f" ]; then rb_key=$rb_key-$rb_f; else rb_key=; fi'] : []),
    'rb_from=',
    `[ -n "$rb_key" ] && for rb_d in ${quote(`${b.o.root}/releases`)}/*/; do`,
    `  [ "$rb_d" != ${quote(`${b.rel}/`)} ] || continue`,
    `  if [ -f "$rb_d.rb-static" ] && read -r rb_k < "$rb_d.rb-static" && [ "$rb_k" = "$rb_key" ] && [ -d "$rb_d"${dir} ]; then rb_from=$rb_d; fi`,
    'done',
    'rm -f -- .rb-static',
    'if [ -n "$rb_from" ]; then',
    `  rm -rf -- ${dir}`,
    `  cp -al -- "$rb_from"${dir} ${dir}`,
    'else',
    `  ${line.map((w) => quote(w)).join(' ')}`,
    'fi',
    `[ -z "$rb_key" ] || printf '%s\\n' "$rb_key" > .rb-static`,
  ].join('\n');
}

/**
 * A command of the app in its release, as its user, with its env, once (marker file). `keys`: what it
 * changes in the release besides its marker (its guards read only the marker and manage.py, which no
 * build step writes).
 */
function appCommand(b: BuildContext, argv: string[], marker: string, title: string, keys: string[], staticKey?: string): Task {
  const line = venvArgv(b.rel, argv);
  return buildStep({
    title,
    show: staticKey ? `${line.join(' ')} (or the static files of a release with the same inputs)` : line.join(' '),
    space: b.rel,
    run: `${staticKey ? staticScript(b, line, staticKey) : line.map((w) => quote(w)).join(' ')}\ntouch -- ${quote(marker)}`,
    cwd: b.rel,
    env: buildEnv(b),
    creates: `${b.rel}/${marker}`,
    keys: [`path:${b.rel}/${marker}`, ...keys],
    // the default Django commands need a manage.py; a release without one (Flask) skips them
    ...(argv.includes('manage.py') ? { onlyIf: 'test -f manage.py' } : {}),
    becomeUser: b.o.user,
  });
}

/** `path:` keys of the directories from `rel` (exclusive) down to `dir` (a `mkdir -p` may make them). */
const parentsWithin = (rel: string, dir: string): string[] =>
  dir.length > rel.length ? dir.slice(rel.length + 1).split('/').map((_, i, parts) => `path:${rel}/${parts.slice(0, i + 1).join('/')}`) : [];

export function buildTasks(b: BuildContext): Task[] {
  const { o, rel } = b;
  const tasks: Task[] = [
    // the venvs of all releases, keyed by their dependency inputs (release-venv.ts)
    directory({ path: venvsDir(o.root), owner: o.user, group: o.group, mode: '0755' }),
    releaseVenv({ root: o.root, rel, requirements: o.requirements, pipArgs: o.pipArgs, systemSitePackages: o.systemSitePackages, becomeUser: o.user }),
  ];
  for (const path of [...o.sharedFiles, ...o.sharedDirs]) {
    const p = `${rel}/${path}`;
    const parent = p.slice(0, p.lastIndexOf('/'));
    tasks.push(
      // what the code has at a shared path (a sample .env, an empty media/) makes way for the link
      buildStep({
        title: `make way for ${path} in the release`,
        show: `rm -rf ${p}`,
        space: rel,
        run: `mkdir -p -- ${quote(parent)}\nrm -rf -- ${quote(p)}`,
        onlyIf: `[ ! -L ${quote(p)} ] && { [ -e ${quote(p)} ] || [ ! -d ${quote(parent)} ]; }`,
        keys: [`tree:${p}`, ...parentsWithin(rel, parent)],
        cwd: rel,
        becomeUser: o.user,
      }),
      // as the app user, like the build steps around it (it owns the release): one batch of changes
      symlink({ path: p, target: `${b.shared}/${path}`, owner: o.user, group: o.group, becomeUser: o.user }),
    );
  }
  if (o.collectstatic) tasks.push(appCommand(b, o.collectstatic, '.rb-collectstatic', `collectstatic in ${rel}`, [`tree:${rel}/${o.staticDir}`, `path:${rel}/.rb-static`], b.staticKey));
  return tasks;
}

export function migrateTasks(b: BuildContext): Task[] {
  return b.o.migrate ? [appCommand(b, b.o.migrate, '.rb-migrated', `migrate in ${b.rel}`, [])] : [];
}
