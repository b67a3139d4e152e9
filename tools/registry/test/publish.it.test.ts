// Every @runbook package as a user gets it: published to a local registry (verdaccio), installed into an
// empty project from there, and used — the `run` bin, a TypeScript config that loads the plugins, the
// packages' types, and nothing of the tests shipped. Needs the build (`npm run build`) and the npm registry
// (third-party dependencies are proxied to it).
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cleanNpmEnv, publishAll, publishablePackages, startRegistry, workspaceRoot, type Registry } from '../src/index.js';

const run = promisify(execFile);
const root = workspaceRoot();
let registry: Registry;
let project: string;
let published: string[];

test.before(async () => {
  registry = await startRegistry();
  published = await publishAll(registry.url);
  project = await mkdtemp(path.join(os.tmpdir(), 'runbook-installed-'));
  await run('npm', ['init', '-y'], { cwd: project, env: cleanNpmEnv() });
  // everything published, as a user would add it (@types/node for the type check below): @runbook/* from
  // the local registry, the rest straight from npm's own (and its cache) — quicker than through verdaccio.
  // An unscoped package of ours (create-runbook) is named by its tarball there: npm's own has no such name.
  const specs = await Promise.all(published.map((name) => (name.startsWith('@runbook/') ? name : localTarball(name))));
  await run('npm', ['install', ...specs, '@types/node@20.19.43', `--@runbook:registry=${registry.url}`, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: project,
    env: cleanNpmEnv(),
  });
});

/** The tarball URL the local registry gives for the latest version of `name`. */
async function localTarball(name: string): Promise<string> {
  const meta = (await (await fetch(new URL(name, registry.url))).json()) as {
    'dist-tags': { latest: string };
    versions: Record<string, { dist: { tarball: string } }>;
  };
  return meta.versions[meta['dist-tags'].latest].dist.tarball;
}

test.after.always(async () => {
  await registry?.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

test('every package that is not private is published, and only those', (t) => {
  const plugins = ['app', 'basic-auth', 'celery', 'core', 'dragonfly', 'gunicorn', 'letsencrypt', 'nginx', 'postgres', 's3-static', 'server', 'supervisor', 'system', 'uwsgi'];
  for (const name of ['@runbook/cli', '@runbook/testing', '@runbook/testhosts', ...plugins.map((p) => `@runbook/${p}`)]) {
    t.true(published.includes(name), `${name} was not published`);
  }
  for (const name of ['@runbook/registry', '@runbook/tools']) t.false(published.includes(name), `${name} is private but was published`);
});

test('the registry serves each published package at its workspace version, tagged latest', async (t) => {
  for (const { name, version } of publishablePackages(root)) {
    const response = await fetch(new URL(name.replace('/', '%2f'), registry.url));
    t.is(response.status, 200, name);
    t.is(((await response.json()) as { 'dist-tags': { latest: string } })['dist-tags'].latest, version, name);
  }
});

test('the run bin is installed from the registry and answers --version', async (t) => {
  const { stdout } = await run('npx', ['--no-install', 'run', '--version'], { cwd: project, env: cleanNpmEnv() });
  const { version } = publishablePackages(root).find((p) => p.name === '@runbook/cli')!;
  t.is(stdout.trim(), `runbook ${version}`);
});

test('a runbook.config.ts importing the installed plugins loads: run hosts lists the inventory it names', async (t) => {
  await mkdir(path.join(project, 'inv'), { recursive: true });
  // inventoryDir is not the default: the hosts are found only if the config was loaded
  await writeFile(path.join(project, 'runbook.config.ts'), [
    "import { defineConfig } from '@runbook/core';",
    "import { app } from '@runbook/app';",
    "import { gunicorn } from '@runbook/gunicorn';",
    "import { nginx } from '@runbook/nginx';",
    'export default defineConfig({',
    "  inventoryDir: 'inv',",
    "  plugins: [app({ name: 'shop', source: { git: { repo: 'https://example.com/shop.git', ref: 'main' } }, wsgi: 'shop.wsgi:application' }), gunicorn(), nginx()],",
    '});',
  ].join('\n'));
  await writeFile(path.join(project, 'inv/x.yml'), 'hosts:\n  web-1: { hostname: 10.0.0.5, user: deploy, groups: [web] }\n');
  const { stdout } = await run('npx', ['--no-install', 'run', 'hosts', '--env', 'x', '--json'], { cwd: project, env: cleanNpmEnv() });
  t.like(JSON.parse(stdout.trim()), { alias: 'web-1', hostname: '10.0.0.5', user: 'deploy' });
});

test('one @runbook/core in the installed tree: the plugins share the engine', async (t) => {
  const copies = (await readdir(path.join(project, 'node_modules'), { recursive: true }))
    .map(String)
    .filter((p) => p === '@runbook/core' || p.endsWith(`${path.sep}node_modules${path.sep}@runbook${path.sep}core`));
  t.deepEqual(copies, ['@runbook/core']);
});

test('the installed packages hold their build, README and LICENSE, and nothing of the tests', async (t) => {
  for (const name of published) {
    const dir = path.join(project, 'node_modules', name);
    const files = (await readdir(dir, { recursive: true })).map(String);
    const own = files.filter((f) => !f.startsWith('node_modules'));
    t.true(own.includes('README.md') && own.includes('LICENSE'), `${name}: README.md or LICENSE missing`);
    t.true(own.includes(path.join('dist', 'index.js')), `${name}: dist/index.js missing`);
    const testish = own.filter((f) => /(^|[/\\])(src|test|tests|__tests__)([/\\]|$)|\.test\.|\.it\.|fixture|\.map$|tsconfig/.test(f));
    t.deepEqual(testish, [], `${name} ships test or source files`);
  }
});

test('the packages types resolve from the installed tree (tsc --noEmit)', async (t) => {
  const imports = published
    .filter((name) => name !== '@runbook/testhosts' && name !== '@runbook/testing') // their API is for tests, checked below by name
    .map((name, i) => `import * as m${i} from '${name}';\nexport const k${i}: string[] = Object.keys(m${i});`);
  await writeFile(path.join(project, 'check.ts'), [
    ...imports,
    "import { defineConfig, type Plugin } from '@runbook/core';",
    "import { nginx } from '@runbook/nginx';",
    "import { fakeHost } from '@runbook/testing';",
    "import { up } from '@runbook/testhosts';",
    'const plugins: Plugin[] = [nginx()];',
    'export default defineConfig({ plugins });',
    'export const host = fakeHost({ facts: () => "" });',
    'export const boot: typeof up = up;',
    '',
  ].join('\n'));
  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['check.ts'],
  }));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'); // the repo's pinned TypeScript
  const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch((e: { stdout: string }) => e);
  t.is(result.stdout.trim(), '', 'tsc found errors');
});
