/** From the detected app and the answers to a ProjectPlan. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { hostsByEnv, type Flags } from './args.js';
import { UsageError, type Asker } from './answers.js';
import type { DetectedApp, Framework } from './detected-app.js';
import { appName } from './detected-app.js';
import { isGeneratedKey, isSecretKey, SET_BY_RUNBOOK, type ProjectPlan, type Source } from './plan.js';
import { sshAliases } from './ssh-aliases.js';

const moduleRe = /^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/;
const envRe = /^[a-z][a-z0-9_-]*$/;

export const isGitCheckout = (dir: string): boolean => {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--is-inside-work-tree'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() === 'true';
  } catch {
    return false;
  }
};

const inside = (parent: string, file: string): string | undefined => {
  const rel = relative(parent, file);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : undefined;
};

/**
 * The ssh config as the inventory names it: relative to inventories/ when it is in the project (the
 * repository stays portable), `~/…` under the home directory, else absolute.
 */
const asWritten = (file: string, home: string, dir?: string): string => {
  if (dir && inside(dir, file)) return relative(join(dir, 'inventories'), file);
  const rel = inside(home, file);
  return rel ? `~/${rel}` : file;
};

export interface PlanContext {
  /** where create-runbook was started: flags' paths are relative to it */
  cwd: string;
  dir: string;
  flags: Flags;
  detected: DetectedApp | undefined;
  asker: Asker;
  version: string;
  home?: string;
}

export async function askPlan({ cwd, dir, flags, detected, asker, version, home = homedir() }: PlanContext): Promise<ProjectPlan> {
  const framework = (detected?.framework ?? await asker.ask({
    flag: '--framework django|flask', prompt: 'No Django (manage.py) or Flask app found here. Framework (django/flask)', default: 'django',
    check: (a) => (a === 'django' || a === 'flask' ? undefined : 'expected django or flask'),
  }, flags.framework)) as Framework;
  const name = await asker.ask({
    flag: '--name NAME', prompt: 'App name (user, /srv/<name>, unit names)', default: detected?.name ?? appName(basename(dir)),
    check: (a) => (/^[a-z_][a-z0-9_-]{0,31}$/.test(a) ? undefined : 'expected a short lowercase name (letters, digits, _ -)'),
  }, flags.name);
  let wsgi = detected?.wsgi;
  let asgi = detected?.asgi;
  if (flags.asgi !== undefined) {
    if (!moduleRe.test(flags.asgi)) throw new UsageError(`--asgi ${JSON.stringify(flags.asgi)}: expected MODULE:CALLABLE like shop.asgi:application`);
    [asgi, wsgi] = [flags.asgi, undefined];
  } else if (flags.wsgi !== undefined || (!wsgi && !asgi)) {
    wsgi = await asker.ask({
      flag: '--wsgi MODULE:CALLABLE', prompt: 'WSGI application', default: framework === 'django' ? `${name}.wsgi:application` : 'app:app',
      check: (a) => (moduleRe.test(a) ? undefined : 'expected MODULE:CALLABLE like shop.wsgi:application'),
    }, flags.wsgi);
    asgi = undefined;
  }

  const sshFile = resolve(cwd, (flags.sshConfig ?? '~/.ssh/config').replace(/^~(?=\/|$)/, home));
  const aliases = existsSync(sshFile) ? sshAliases(readFileSync(sshFile, 'utf8')) : [];
  const envs = (await asker.ask({
    flag: '--envs ENV,ENV', prompt: 'Environments', default: 'prod',
    check: (a) => a.split(',').map((e) => e.trim()).find((e) => !envRe.test(e)) !== undefined ? 'expected names like prod,stg (lower case, letters, digits, _ -)' : undefined,
  }, flags.envs)).split(',').map((e) => e.trim()).filter(Boolean);
  const givenHosts = hostsByEnv(flags.hosts, envs.length === 1 ? envs[0] : undefined);
  for (const env of Object.keys(givenHosts)) if (!envs.includes(env)) throw new UsageError(`--hosts ${env}=…: ${env} is not one of the envs (${envs.join(', ')})`);
  const known = aliases.map((a) => a.alias);
  const checkHosts = (a: string) => {
    const unknown = a.split(',').map((h) => h.trim()).filter((h) => h && !known.includes(h));
    if (!a.trim()) return 'expected at least one alias';
    if (!existsSync(sshFile)) return `${sshFile} does not exist (--ssh-config FILE names another)`;
    return unknown.length ? `not a Host of ${sshFile}: ${unknown.join(', ')} (its aliases: ${known.join(', ') || 'none'})` : undefined;
  };
  const hosts: Record<string, string[]> = {};
  for (const env of envs) {
    // aliases that name the env as a word: prod-web-1, web1.prod
    const guess = known.filter((a) => a.split(/[^A-Za-z0-9]+/).includes(env));
    const answer = await asker.ask({
      flag: `--hosts ${env}=ALIAS,ALIAS`, prompt: `Hosts of ${env} (aliases of ${asWritten(sshFile, home)}${known.length ? `: ${known.join(' ')}` : ''})`,
      default: guess.length ? guess.join(',') : undefined, check: checkHosts,
    }, givenHosts[env]);
    hosts[env] = answer.split(',').map((h) => h.trim()).filter(Boolean);
  }
  asker.finish();

  const source: Source = flags.git ? { git: { repo: flags.git, ref: flags.ref ?? 'main' } } : { upload: { path: '.' } };
  const notes = [...(detected?.notes ?? [])];
  if ('upload' in source && !isGitCheckout(dir)) {
    notes.push('not a git checkout: deploys upload the committed HEAD, so first: git init && git add -A && git commit -m "first commit"');
  }
  const keys = (detected?.envKeys ?? ['SECRET_KEY']).filter((k) => !SET_BY_RUNBOOK.has(k));
  const generated = keys.filter(isGeneratedKey);
  const env: Record<string, string> = {};
  if (keys.includes('ALLOWED_HOSTS')) {
    // nginx passes the host's name on; the health check asks with the same name
    const names = Object.values(hosts).flat().map((h) => aliases.find((a) => a.alias === h)?.hostname ?? h);
    env.ALLOWED_HOSTS = [...new Set([...names, 'localhost', '127.0.0.1'])].join(',');
  }
  return {
    name, framework, wsgi, asgi, source,
    packages: detected?.packages ?? ['python3-venv', framework === 'django' ? 'python3-django' : 'python3-flask'],
    healthPath: detected?.healthPath ?? '/',
    collectstatic: detected?.collectstatic ?? false,
    migrate: detected?.migrate,
    requiredSecrets: generated,
    env,
    hosts,
    sshConfig: asWritten(sshFile, home, dir),
    secretKeys: {
      generated,
      empty: keys.filter((k) => isSecretKey(k) && !isGeneratedKey(k)),
      plain: keys.filter((k) => !isSecretKey(k) && !(k in env)),
    },
    version,
    notes,
  };
}
