/** The options of `app()`, their defaults, and the checks that run before anything connects. */
import { checkOptionKeys, errors, isSecret, optionKeys, type PlacementOptions } from '@runbook/core';

/** Where a release's code comes from. */
export type AppSource =
  | {
      /** cloned on the host (git is installed by configure) */
      git: {
        /**
         * Over ssh (`ssh://…`, `user@host:path`) the fetch uses the agent forwarded from the control
         * machine (ForwardAgent yes), or a deploy key of root on the host.
         * @example 'https://github.com/acme/shop.git'
         * @example 'git@github.com:acme/shop.git'
         */
        repo: string;
        /** branch, tag or full commit @example 'main' */
        ref: string;
      };
    }
  | {
      /** packed on the control machine with `git archive` and sent inside the task's script */
      upload: {
        /** a local git checkout @example '.' */
        path: string;
        /** what to pack @default 'HEAD' @example 'v1.4.2' */
        ref?: string;
      };
    };

export interface HealthCheckOptions {
  /**
   * Path requested through nginx on the host. It becomes the site's `healthPath`: the one path the
   * check requests and basic-auth's wall leaves open.
   * @default site.healthPath ('/health/')
   * @example '/healthz'
   */
  path?: string;
  /**
   * The whole URL instead of `http://127.0.0.1<path>` (another port, a stand-in server).
   * @default undefined
   * @example 'http://127.0.0.1:8000/health/'
   */
  url?: string;
  /**
   * Host header.
   * @default the site's first server name
   * @example 'shop.example.org'
   */
  host?: string;
  /**
   * Attempts before the deploy fails (0.1 s apart at first, the wait doubling up to one second).
   * @default 10
   * @example 3
   */
  retries?: number;
}

export interface AppOptions extends PlacementOptions {
  /**
   * Short name of the app: user, paths, unit names.
   * @example 'shop'
   */
  name: string;
  /**
   * System user (and group) the app runs as; home = root, no login shell.
   * @default name
   * @example 'shop'
   */
  user?: string;
  /**
   * Where the app lives: `current`, `releases/`, `shared/`.
   * @default '/srv/<name>'
   * @example '/srv/shop'
   */
  root?: string;
  /**
   * Where the code comes from.
   * @example { git: { repo: 'https://github.com/acme/shop.git', ref: 'main' } }
   * @example { upload: { path: '.', ref: 'HEAD' } }
   */
  source: AppSource;
  /**
   * Python module of the WSGI callable (used by gunicorn / uwsgi).
   * @default undefined
   * @example 'shop.wsgi:application'
   */
  wsgi?: string;
  /**
   * Python module of the ASGI callable.
   * @default undefined
   * @example 'shop.asgi:application'
   */
  asgi?: string;
  /**
   * Debian packages the app needs.
   * @default ['python3-venv']
   * @example ['python3-venv', 'python3-django', 'libpq5']
   */
  packages?: string[];
  /**
   * Good releases to keep; older ones (and failed or rolled-back ones) are removed after a deploy.
   * The current release is never removed.
   * @default 5
   * @example 3
   */
  keep?: number;
  /**
   * Requirements file in the release; `pip install -r` runs only when it has requirement lines.
   * @default 'requirements.txt'
   * @example 'requirements/prod.txt'
   */
  requirements?: string;
  /**
   * Extra pip arguments. Offline from packages shipped in the code: `--no-index --find-links <dir>`
   * (sdists also need `--no-build-isolation` and python3-setuptools + python3-wheel in `packages`).
   * @default []
   * @example ['--no-index', '--find-links', 'vendor/', '--no-build-isolation']
   */
  pipArgs?: string[];
  /**
   * Make the venv with `--system-site-packages` (Debian's python3-* packages are visible).
   * @default true
   * @example false
   */
  systemSitePackages?: boolean;
  /**
   * Migration command, run with the venv's python in the release as the app user with the .env loaded;
   * `false` skips it. The default runs only when the release has a manage.py.
   * @default ['python', 'manage.py', 'migrate', '--noinput']
   * @example ['python', '-m', 'alembic', 'upgrade', 'head']
   */
  migrate?: string[] | false;
  /**
   * Run the migration once per deploy, on one host (the config's `primary`), before any host switches —
   * right for a database the env's hosts share; or on every host, at the end of its build — right when
   * each host has its own (sqlite in `shared/`).
   * @default true when the app has a DATABASE_URL (from @runbook/postgres, `env` or the secrets), else false
   * @example true
   */
  migrateOnce?: boolean;
  /**
   * Static files command, run like `migrate`; `false` skips it.
   * @default ['python', 'manage.py', 'collectstatic', '--noinput']
   * @example false
   */
  collectstatic?: string[] | false;
  /**
   * Files in `shared/` linked into every release.
   * @default ['.env']
   * @example ['.env', 'config/local.py']
   */
  sharedFiles?: string[];
  /**
   * Directories in `shared/` linked into every release (created by configure).
   * @default ['media']
   * @example ['media', 'uploads']
   */
  sharedDirs?: string[];
  /**
   * Plain values for the .env besides the env's secrets (secrets win on the same key).
   * @default {}
   * @example { DJANGO_SETTINGS_MODULE: 'shop.settings' }
   */
  env?: Record<string, string>;
  /**
   * Keys the env's secrets file must set: configure and deploy stop before anything connects (exit 4)
   * when one is missing or empty, naming the file and the key.
   * @default []
   * @example ['SECRET_KEY', 'DATABASE_PASSWORD']
   */
  requiredSecrets?: string[];
  /**
   * The deploy's verify stage: an HTTP request on the host that must succeed; `false` skips it.
   * @default { path: site.healthPath, host: first server name, retries: 10 }
   * @example { url: 'http://127.0.0.1:8000/health/', retries: 5 }
   */
  healthCheck?: HealthCheckOptions | false;
  /**
   * Where collectstatic puts a release's static files, inside the release: the build's commands get
   * STATIC_ROOT=`<release>/<staticDir>`, the app's .env `<root>/current/<staticDir>`, and nginx serves
   * `<root>/current/<staticDir>/`. So static files go live with the switch and come back with a
   * rollback. Your settings must read STATIC_ROOT from the environment. Not `static`: that is where
   * Django projects keep their own static sources (STATICFILES_DIRS may not hold STATIC_ROOT).
   * @default 'staticfiles'
   * @example 'public/static'
   */
  staticDir?: string;
  /**
   * The least free space a deploy needs on the releases' filesystem, checked before the new release's
   * code arrives (the need is also at least the size of the current release + 10%): `'512M'`, `'2G'`,
   * `'300K'`; `false` skips the check.
   * @default '512M'
   * @example '2G'
   */
  minFreeSpace?: string | false;
  /**
   * The deploy's verify stage: after the reload restarted the site's units (`site.reloadUnits`:
   * gunicorn, uwsgi, celery …), each must be active and stay so (same start, no automatic restart) for
   * `settle` seconds; a crash-looping unit fails the deploy, whose rescue then switches back. The app
   * server the health check just answered through (gunicorn, uwsgi) is looked at without the wait: the
   * settle is for the units no request proves (celery …). `false` skips it.
   * @default { settle: 2 }
   * @example { settle: 5 }
   */
  verifyUnits?: { settle?: number } | false;
}

/** Options with every default filled in (except those that depend on the site model). */
export interface ResolvedAppOptions extends Required<Omit<AppOptions, 'wsgi' | 'asgi' | 'healthCheck' | 'on' | 'migrateOnce' | 'minFreeSpace' | 'verifyUnits'>> {
  group: string;
  /** KiB; false = no check */
  minFreeKiB: number | false;
  /** seconds each reload unit must stay active; false = no check */
  settle: number | false;
  /** unset: decided from the database (see AppOptions.migrateOnce) */
  migrateOnce?: boolean;
  wsgi?: string;
  asgi?: string;
  healthCheck: HealthCheckOptions | false;
}

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`app: ${key}: expected ${expected}, got ${isSecret(got) ? 'a secret' : JSON.stringify(got)}`, { key, plugin: 'app' });
};

const KEYS = optionKeys<AppOptions>({
  on: true, name: true, user: true, root: true, source: true, wsgi: true, asgi: true, packages: true, keep: true, requirements: true,
  pipArgs: true, systemSitePackages: true, migrate: true, migrateOnce: true, collectstatic: true, sharedFiles: true, sharedDirs: true,
  env: true, requiredSecrets: true, healthCheck: true, staticDir: true, minFreeSpace: true, verifyUnits: true,
});
type GitSource = Extract<AppSource, { git: unknown }>;
type UploadSource = Extract<AppSource, { upload: unknown }>;
const SOURCE_KEYS = optionKeys<GitSource & UploadSource>({ git: true, upload: true });
const GIT_KEYS = optionKeys<GitSource['git']>({ repo: true, ref: true });
const UPLOAD_KEYS = optionKeys<UploadSource['upload']>({ path: true, ref: true });
const HEALTH_CHECK_KEYS = optionKeys<HealthCheckOptions>({ path: true, url: true, host: true, retries: true });

const accountRe = /^[a-z_][a-z0-9_-]{0,31}$/;
const stringList = (key: string, v: unknown): string[] => {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '')) bad(key, 'a list of non-empty strings', v);
  return v as string[];
};
/** A path inside the release: relative, no `..`, no trailing slash. */
const relativePath = (key: string, v: string): void => {
  if (v.startsWith('/') || v.endsWith('/') || v.split('/').some((p) => p === '..' || p === '.' || p === '') || /[\0\n]/.test(v)) {
    bad(key, 'a relative path inside the release (no "..")', v);
  }
};
const commandList = (key: string, v: unknown, fallback: string[]): string[] | false => {
  if (v === undefined) return fallback;
  if (v === false) return false;
  const list = stringList(key, v);
  if (list.length === 0) bad(key, 'a non-empty argv list or false', v);
  return list;
};

export const defaultMigrate = ['python', 'manage.py', 'migrate', '--noinput'];
export const defaultCollectstatic = ['python', 'manage.py', 'collectstatic', '--noinput'];

export function resolveOptions(o: AppOptions): ResolvedAppOptions {
  if (!o || typeof o !== 'object') throw errors.options('app: options must be an object', { plugin: 'app' });
  checkOptionKeys('app', o, KEYS);
  if (typeof o.name !== 'string' || !accountRe.test(o.name)) bad('name', 'a short lowercase name (letters, digits, _ -)', o.name);
  const user = o.user ?? o.name;
  if (!accountRe.test(user)) bad('user', 'a user name', user);
  const root = o.root ?? `/srv/${o.name}`;
  if (typeof root !== 'string' || !/^\/[^\0\n]*[^/]$/.test(root)) bad('root', 'an absolute path (not /)', root);
  const src = o.source as Record<string, Record<string, unknown>> | undefined;
  checkOptionKeys('app', src, SOURCE_KEYS, 'source');
  checkOptionKeys('app', src?.git, GIT_KEYS, 'source.git');
  checkOptionKeys('app', src?.upload, UPLOAD_KEYS, 'source.upload');
  if (src?.git) {
    if (typeof src.git.repo !== 'string' || !src.git.repo || src.git.repo.startsWith('-') || /[\n\0]/.test(src.git.repo)) bad('source.git.repo', 'a repository URL', src.git.repo);
    if (typeof src.git.ref !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(src.git.ref)) bad('source.git.ref', 'a branch, tag or commit', src.git.ref);
  } else if (src?.upload) {
    if (typeof src.upload.path !== 'string' || !src.upload.path) bad('source.upload.path', 'a local checkout directory', src.upload.path);
    const ref = src.upload.ref;
    if (ref !== undefined && (typeof ref !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._/^~-]*$/.test(ref))) bad('source.upload.ref', 'a git ref', ref);
  } else {
    bad('source', '{ git: { repo, ref } } or { upload: { path, ref? } }', o.source);
  }
  for (const k of ['wsgi', 'asgi'] as const) {
    if (o[k] !== undefined && (typeof o[k] !== 'string' || !/^[A-Za-z_][\w.]*(:[A-Za-z_]\w*)?$/.test(o[k]!))) bad(k, "a module path like 'shop.wsgi:application'", o[k]);
  }
  const keep = o.keep ?? 5;
  if (!Number.isInteger(keep) || keep < 1) bad('keep', 'a positive integer', keep);
  const requirements = o.requirements ?? 'requirements.txt';
  relativePath('requirements', requirements);
  const sharedFiles = o.sharedFiles === undefined ? ['.env'] : stringList('sharedFiles', o.sharedFiles);
  const sharedDirs = o.sharedDirs === undefined ? ['media'] : stringList('sharedDirs', o.sharedDirs);
  [...sharedFiles, ...sharedDirs].forEach((p) => relativePath('sharedFiles/sharedDirs', p));
  const env = o.env ?? {};
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) bad(`env.${k}`, 'a variable name (letters, digits, _)', k);
    if (typeof v !== 'string') bad(`env.${k}`, 'a string', v);
  }
  const requiredSecrets = o.requiredSecrets === undefined ? [] : stringList('requiredSecrets', o.requiredSecrets);
  for (const k of requiredSecrets) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) bad('requiredSecrets', 'variable names (letters, digits, _)', k);
  }
  const hc = o.healthCheck;
  if (hc !== undefined && hc !== false) {
    if (typeof hc !== 'object') bad('healthCheck', 'an object or false', hc);
    checkOptionKeys('app', hc, HEALTH_CHECK_KEYS, 'healthCheck');
    if (hc.path !== undefined && (typeof hc.path !== 'string' || !hc.path.startsWith('/'))) bad('healthCheck.path', 'a path starting with /', hc.path);
    if (hc.url !== undefined && (typeof hc.url !== 'string' || !/^https?:\/\/\S+$/.test(hc.url))) bad('healthCheck.url', 'an http(s) URL', hc.url);
    if (hc.host !== undefined && (typeof hc.host !== 'string' || !/^[A-Za-z0-9.:[\]-]+$/.test(hc.host))) bad('healthCheck.host', 'a host name', hc.host);
    if (hc.retries !== undefined && (!Number.isInteger(hc.retries) || hc.retries < 1)) bad('healthCheck.retries', 'a positive integer', hc.retries);
  }
  const staticDir = o.staticDir ?? 'staticfiles';
  if (typeof staticDir !== 'string') bad('staticDir', 'a relative path inside the release', staticDir);
  relativePath('staticDir', staticDir);
  const vu = o.verifyUnits;
  if (vu !== undefined && vu !== false && (typeof vu !== 'object' || vu === null)) bad('verifyUnits', '{ settle } or false', vu);
  if (vu) checkOptionKeys('app', vu, ['settle'], 'verifyUnits');
  const settle = vu === false ? false : (vu?.settle ?? 2);
  if (settle !== false && (typeof settle !== 'number' || !(settle > 0) || settle > 300)) bad('verifyUnits.settle', 'seconds (more than 0, at most 300)', settle);
  const systemSitePackages = o.systemSitePackages ?? true;
  if (typeof systemSitePackages !== 'boolean') bad('systemSitePackages', 'true or false', systemSitePackages);
  return {
    name: o.name,
    user,
    group: user,
    root,
    source: o.source,
    wsgi: o.wsgi,
    asgi: o.asgi,
    packages: o.packages === undefined ? ['python3-venv'] : stringList('packages', o.packages),
    keep,
    requirements,
    pipArgs: o.pipArgs === undefined ? [] : stringList('pipArgs', o.pipArgs),
    systemSitePackages,
    migrate: commandList('migrate', o.migrate, defaultMigrate),
    ...(o.migrateOnce === undefined ? {} : { migrateOnce: typeof o.migrateOnce === 'boolean' ? o.migrateOnce : bad('migrateOnce', 'true or false', o.migrateOnce) }),
    collectstatic: commandList('collectstatic', o.collectstatic, defaultCollectstatic),
    sharedFiles,
    sharedDirs,
    env,
    requiredSecrets,
    healthCheck: hc ?? {},
    staticDir,
    minFreeKiB: o.minFreeSpace === false ? false : parseSize('minFreeSpace', o.minFreeSpace ?? '512M'),
    settle,
  };
}

const units: Record<string, number> = { K: 1, M: 1024, G: 1024 * 1024, T: 1024 * 1024 * 1024 };

/** `'512M'`, `'2G'`, `'1.5G'`, `'300K'` (also `MiB`, `MB`: powers of 1024) → KiB. */
export function parseSize(key: string, v: unknown): number {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*([KMGT])(?:i?B)?$/i.exec(v.trim()) : null;
  if (!m) return bad(key, "a size like '512M' or '2G' (or false)", v);
  return Math.ceil(Number(m[1]) * units[m[2].toUpperCase()]);
}
