import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Registry {
  /** The registry's address, `http://127.0.0.1:<port>/`: pass it to npm as `--registry`. */
  url: string;
  /** Stops verdaccio and removes its storage. */
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /**
   * Package names (verdaccio globs) served only from this registry, never looked up upstream: what the
   * test publishes. Every other package is proxied to `uplink`, so an install of them resolves its
   * third-party dependencies through this one address.
   * @default ['@runbook/*', 'create-runbook']
   */
  local?: string[];
  /** @default 'https://registry.npmjs.org/' */
  uplink?: string;
}

/** Starts a throwaway verdaccio on a free loopback port, with its storage in a fresh temp dir. */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runbook-registry-'));
  const configPath = path.join(dir, 'config.yaml');
  await writeFile(configPath, JSON.stringify(registryConfig(dir, options), null, 2)); // JSON is YAML
  const [serve, ...flags] = serveArgs();
  // run from the module's dir, where its dependencies (verdaccio; tsx under the sources) resolve
  const child = spawn(process.execPath, [...flags, serve, configPath], {
    cwd: path.dirname(serve),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`verdaccio did not start within 60 s:\n${output}`)), 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^listening (\d+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`verdaccio exited (${code}) before listening:\n${output}`)));
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function registryConfig(dir: string, { local = ['@runbook/*', 'create-runbook'], uplink = 'https://registry.npmjs.org/' }: RegistryOptions) {
  const own = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  return {
    storage: path.join(dir, 'storage'),
    auth: { htpasswd: { file: path.join(dir, 'htpasswd'), max_users: 1000 } },
    uplinks: { npmjs: { url: uplink, timeout: '60s' } },
    // first match wins: ours before the catch-all, and ours have no `proxy`
    packages: {
      ...Object.fromEntries(local.map((name) => [name, own])),
      '**': { access: '$all', publish: '$authenticated', proxy: 'npmjs' },
    },
    web: { enable: false },
    max_body_size: '100mb',
    logs: { type: 'stdout', format: 'pretty', level: 'error' },
  };
}

/**
 * The built serve.js (dist/, also when this module runs from src/ under tsx: verdaccio's hundreds of
 * modules load in seconds, not the best part of a minute through tsx's hooks); unbuilt, serve.ts with tsx.
 */
function serveArgs(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.join(here, '..', 'dist', 'serve.js');
  return existsSync(built) ? [built] : [path.join(here, 'serve.ts'), '--import=tsx'];
}
