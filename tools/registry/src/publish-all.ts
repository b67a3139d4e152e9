import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { publishablePackages, workspaceRoot, type WorkspacePackage } from './workspace-packages.js';

const run = promisify(execFile);

export interface PublishOptions {
  /** The repository whose packages are published. @default the workspace this module lives in */
  root?: string;
}

/**
 * Publishes every publishable workspace package (not `private`) to the registry at `url`, as each
 * package dir stands: builds are assumed done (a package whose `main` is missing is an error naming it).
 * `npm publish` of each dir (one npm for all: `--workspace` each), so `files`, `bin` and the manifest are exactly what npm would publish.
 * Returns the names published.
 */
export async function publishAll(url: string, options: PublishOptions = {}): Promise<string[]> {
  const root = options.root ?? workspaceRoot();
  const packages = publishablePackages(root);
  const unbuilt = packages.filter((p) => typeof p.manifest.main === 'string' && !existsSync(path.join(p.dir, p.manifest.main)));
  if (unbuilt.length) {
    throw new Error(`not built (run \`npm run build\` first): ${unbuilt.map((p) => `${p.name} has no ${p.manifest.main}`).join(', ')}`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runbook-publish-'));
  try {
    const userconfig = path.join(dir, '.npmrc');
    const host = new URL(url).host;
    await writeFile(userconfig, `registry=${url}\n//${host}/:_authToken=${await addUser(url)}\n`);
    await publish(root, packages, url, userconfig);
    return packages.map((p) => p.name);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One npm process for all (`npm publish -w a -w b …`): an npm start costs seconds on a loaded machine. */
async function publish(root: string, packages: WorkspacePackage[], url: string, userconfig: string): Promise<void> {
  const workspaces = packages.flatMap((p) => ['--workspace', p.name]);
  try {
    await run('npm', ['publish', ...workspaces, '--registry', url, '--userconfig', userconfig, '--tag', 'latest', '--no-audit', '--no-fund'], {
      cwd: root,
      env: cleanNpmEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr = '' } = error as { stderr?: string };
    throw new Error(`npm publish of ${packages.map((p) => p.name).join(', ')} failed:\n${stderr.trim()}`);
  }
}

/** A user of the registry's own (htpasswd): the token npm needs to publish. */
async function addUser(url: string): Promise<string> {
  const name = `publisher-${process.pid}-${Date.now()}`;
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${name}`, type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string };
  if (!response.ok || !body.token) throw new Error(`${url}: adding a user failed (${response.status} ${JSON.stringify(body)})`);
  return body.token;
}

/**
 * The environment without the npm_config_* an outer `npm test` sets (its registry, userconfig and so
 * on), so that only the flags given here decide where npm publishes and installs from.
 */
export function cleanNpmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
  return { ...env, ...extra };
}
