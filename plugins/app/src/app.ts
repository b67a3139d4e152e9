/**
 * `app()`: the application itself, Capistrano-style. configure makes the user, the directories, the
 * packages and `shared/.env` (a change of it restarts the app's units); a deploy clears what unfinished
 * deploys left, checks the free space, makes `releases/<id>` (code, venv, shared links, its own static
 * files), migrates, switches `current`, verifies (health check, units that stay up), records and
 * prunes, under a lock; a failed deploy switches back and removes its release; rollback switches to an
 * earlier release.
 */
import { resolve } from 'node:path';
import { claim, definePlugin, errors, placeable, quote, requireSecrets, reveal, type AppModel, type Plugin, type PluginContext, type PrepareContext, type SiteModel, type Task } from '@runbook/core';
import { apt, command, directory, group, restartUnitsScript, user } from '@runbook/system';
import { lockDir } from './app-state.js';
import { buildTasks, migrateTasks, type BuildContext } from './build-tasks.js';
import { deployLock, deployUnlock } from './deploy-lock.js';
import { appEnv, renderEnvFile } from './env-file.js';
import { envFile } from './env-file-task.js';
import { freeSpace } from './free-space.js';
import { healthCheck } from './health-check.js';
import { resolveOptions, type AppOptions, type ResolvedAppOptions } from './options.js';
import { packUpload, packUploadAsync, type PackedSource } from './pack-upload.js';
import { pruneReleases } from './prune-releases.js';
import { pruneVenvs } from './prune-venvs.js';
import { releaseCode, type ReleaseSource } from './release-code.js';
import { releaseLeftovers } from './release-leftovers.js';
import { releaseLock } from './release-lock.js';
import { releaseRecord } from './release-record.js';
import { rescueRelease } from './rescue-release.js';
import { restartUnits } from './restart-units.js';
import { rollbackCurrent } from './rollback-current.js';
import { staticKey } from './static-key.js';
import { runInfo } from './run-info.js';
import { switchCurrent } from './switch-current.js';
import { unitsStable } from './units-stable.js';

/** The handler a changed .env notifies. */
export const RESTART_HANDLER = 'restart app units';
const restartMarker = (o: ResolvedAppOptions): string => `${o.root}/.env-restart-pending`;

export function appModel(o: ResolvedAppOptions): AppModel {
  const shared = `${o.root}/shared`;
  // static files belong to the release: what is served is always the live release's
  return {
    name: o.name,
    user: o.user,
    group: o.group,
    root: o.root,
    current: `${o.root}/current`,
    releases: `${o.root}/releases`,
    shared,
    envFile: `${shared}/.env`,
    venv: `${o.root}/current/.venv`,
    wsgi: o.wsgi,
    asgi: o.asgi,
    staticRoot: `${o.root}/current/${o.staticDir}`,
  };
}

function contribute(site: SiteModel, o: ResolvedAppOptions): void {
  site.app = appModel(o);
  claim(site, 'app', `app root ${o.root}`);
  site.env.STATIC_ROOT = site.app.staticRoot;
  // one health path: the wall's exemption (basic-auth, nginx) and the verify stage's check both read it
  if (o.healthCheck && o.healthCheck.path) site.healthPath = o.healthCheck.path;
  // read when the .env is rendered, so a later plugin (s3-static) that sets site.staticUrl is seen
  let staticUrl: string | undefined;
  Object.defineProperty(site.env, 'STATIC_URL', {
    enumerable: true,
    configurable: true,
    get: () => staticUrl ?? site.staticUrl,
    set: (v: string) => void (staticUrl = v),
  });
}

// planning stops here (exit 4) when a required secret is missing: before any host is logged in to
const envOf = (ctx: PluginContext, o: ResolvedAppOptions) => {
  requireSecrets(ctx, o.requiredSecrets, 'app (requiredSecrets)');
  return appEnv({ ...ctx.site.env }, o.env, ctx.secrets);
};

function configure(ctx: PluginContext, o: ResolvedAppOptions): Task[] {
  const a = ctx.site.app!;
  const owned = { owner: o.user, group: o.group };
  const packages = [...o.packages, ...('git' in o.source ? ['git'] : []), ...(o.healthCheck ? ['curl'] : [])];
  return [
    group({ name: o.group, system: true }),
    user({ name: o.user, system: true, group: o.group, home: o.root, createHome: false, shell: '/usr/sbin/nologin' }),
    directory({ path: o.root, owner: 'root', group: 'root', mode: '0755', recursive: true }),
    directory({ path: a.releases, owner: 'root', group: 'root', mode: '0755' }),
    directory({ path: `${o.root}/.releases`, owner: 'root', group: 'root', mode: '0755' }),
    directory({ path: a.shared, ...owned, mode: '0755' }),
    ...o.sharedDirs.map((d) => directory({ path: `${a.shared}/${d}`, ...owned, recursive: true })),
    ...(packages.length ? [apt({ packages })] : []),
    envFile({ path: a.envFile, content: renderEnvFile(envOf(ctx, o)), ...owned, current: a.current, marker: restartMarker(o), notify: RESTART_HANDLER }),
  ];
}

/** An upload's path is relative to the project root (where the config is). */
const uploadPath = (o: ResolvedAppOptions, root: string): string => ('upload' in o.source ? resolve(root, o.source.upload.path) : root);

function releaseSource(ctx: PluginContext, o: ResolvedAppOptions, prepared?: PackedSource): ReleaseSource {
  if ('git' in o.source) return { git: o.source.git };
  const { commit, tarball, tree } = prepared ?? packUpload(uploadPath(o, ctx.config.root), o.source.upload.ref);
  return { commit, tarball, tree };
}

/** The health check (which also starts a socket-activated server), then the units that must stay up. */
function verifyTasks(ctx: PluginContext, o: ResolvedAppOptions): Task[] {
  const hc = o.healthCheck;
  const units = ctx.site.reloadUnits;
  // only a host that serves the app over HTTP (an app server put an upstream in its model) is checked
  // through nginx; a worker host is not
  const http = hc && (hc.url || ctx.site.upstream);
  // the app server the health check answered through is proven up: only the others (celery …) wait out the settle
  const proven = hc && http && !hc.url && ctx.site.upstream?.unit && units.includes(ctx.site.upstream.unit) ? [ctx.site.upstream.unit] : [];
  return [
    // healthCheck.path is the site's one health path (contribute put it in site.healthPath): checked here, left open by a wall
    ...(hc && http ? [healthCheck({ url: hc.url ?? `http://127.0.0.1${ctx.site.healthPath}`, host: hc.host ?? ctx.site.serverNames[0], retries: hc.retries ?? 10 })] : []),
    ...(o.settle !== false && units.length ? [unitsStable({ units, settle: o.settle, proven })] : []),
  ];
}

/** Whether the app's database is one for the env (a DATABASE_URL), so one host migrates it for all. */
const migratesOnce = (ctx: PluginContext, o: ResolvedAppOptions, env: Record<string, unknown>): boolean =>
  o.migrateOnce ?? (ctx.site.database !== undefined || 'DATABASE_URL' in env);

const lockTask = (ctx: PluginContext, o: ResolvedAppOptions): Task => {
  const run = runInfo(ctx);
  return deployLock({ root: o.root, env: ctx.env, info: { release: run.id, who: run.who, since: run.time, command: run.command, pid: run.pid } });
};

function deploy(ctx: PluginContext, o: ResolvedAppOptions, prepared?: PackedSource) {
  const release = ctx.release;
  if (!release) throw errors.config('app: deploy needs a release (the deploy playbook sets one)');
  const run = runInfo(ctx);
  const a = ctx.site.app!;
  const source = releaseSource(ctx, o, prepared);
  const env = envOf(ctx, o);
  // the static key's file part: an upload's tree listed here; a git source's hashed on the host by its fetch
  const staticInputs = !o.collectstatic ? undefined : 'upload' in o.source ? (prepared ?? packUpload(uploadPath(o, ctx.config.root), o.source.upload.ref)).listing : '';
  const b: BuildContext = {
    o, rel: release.path, shared: a.shared, env,
    ...(staticInputs !== undefined && o.collectstatic ? { staticKey: staticKey(staticInputs, { collectstatic: o.collectstatic, staticDir: o.staticDir, env: reveal(renderEnvFile(env)) }) } : {}),
    ...('git' in o.source ? { staticInputsOnHost: true } : {}),
  };
  const owned = { root: o.root, id: release.id, owner: o.user, group: o.group };
  return {
    lock: [lockTask(ctx, o)],
    prepare: [
      releaseLeftovers({ root: o.root, id: release.id }),
      ...(o.minFreeKiB !== false ? [freeSpace({ path: a.releases, current: a.current, minFreeKiB: o.minFreeKiB })] : []),
      releaseCode({ ...owned, source }),
    ],
    // a database the hosts share is migrated once, before any host switches; a host's own (sqlite) on every host
    ...(migratesOnce(ctx, o, b.env) ? { build: buildTasks(b), migrate: migrateTasks(b) } : { build: [...buildTasks(b), ...migrateTasks(b)] }),
    switch: [switchCurrent(owned)],
    verify: verifyTasks(ctx, o),
    finish: [
      releaseRecord({ root: o.root, id: release.id, status: 'ok', runId: run.id, who: run.who, time: run.time, action: 'deploy' }),
      pruneReleases({ root: o.root, keep: o.keep }),
      pruneVenvs({ root: o.root }),
    ],
  };
}

function rollback(ctx: PluginContext, o: ResolvedAppOptions) {
  const run = runInfo(ctx);
  const units = ctx.site.reloadUnits;
  return {
    lock: [lockTask(ctx, o)],
    switch: [rollbackCurrent({ root: o.root, to: ctx.rollbackTo, owner: o.user, group: o.group })],
    // only when this run switched current (it then wrote `previous` into its lock)
    reload: units.length
      ? [command({
          title: `systemctl restart ${units.join(' ')}`,
          // a unit that crash-looped into its start limit is often the reason to roll back
          run: restartUnitsScript(units),
          onlyIf: `test -f ${quote(`${lockDir(o.root)}/previous`)}`,
        })]
      : [],
    verify: verifyTasks(ctx, o),
    finish: [releaseRecord({ root: o.root, previous: true, status: 'rolled-back', runId: run.id, who: run.who, time: run.time, action: 'rollback' })],
  };
}

/**
 * The application: releases, `current`, `shared/.env`, deploy lock, rollback.
 * @example app({ name: 'shop', source: { git: { repo: 'https://github.com/acme/shop.git', ref: 'main' } }, wsgi: 'shop.wsgi:application' })
 * @example app({ name: 'demo', source: { upload: { path: 'apps/demo-django' } }, packages: ['python3-venv', 'python3-django'] })
 */
export function app(options: AppOptions): Plugin {
  const o = resolveOptions(options);
  // the upload tarball of each run, packed once by `prepare` before any host is planned
  const packed = new WeakMap<object, PackedSource>();
  return placeable(app, options, definePlugin({
    name: 'app',
    // each app() is a site of its own: the plugins after it serve this app (several apps on one host)
    opensSite: true,
    async prepare(ctx: PrepareContext) {
      if (ctx.playbook === 'deploy' && 'upload' in o.source) packed.set(ctx.config, await packUploadAsync(uploadPath(o, ctx.config.root), o.source.upload.ref));
    },
    contribute: (site: SiteModel) => contribute(site, o),
    configure: (ctx: PluginContext) => configure(ctx, o),
    deploy: (ctx: PluginContext) => deploy(ctx, o, packed.get(ctx.config)),
    rescueDeploy: (ctx: PluginContext) =>
      ctx.release
        ? [rescueRelease({ root: o.root, id: ctx.release.id, owner: o.user, group: o.group, units: ctx.site.reloadUnits, who: runInfo(ctx).who, time: runInfo(ctx).time })]
        : [],
    finallyDeploy: (ctx: PluginContext) => [deployUnlock({ root: o.root, id: runInfo(ctx).id })],
    unlock: () => [releaseLock({ root: o.root })],
    rollback: (ctx: PluginContext) => rollback(ctx, o),
    handlers: (ctx: PluginContext) => ({
      [RESTART_HANDLER]: restartUnits({ units: ctx.site.reloadUnits, current: ctx.site.app!.current, marker: restartMarker(o) }),
    }),
  }));
}
