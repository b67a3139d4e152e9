/**
 * Collecting the static files on the control machine (zx): the release's commit unpacked into a temp
 * dir (`git archive <ref>`, the same tree the app's upload source ships), then the app's collectstatic
 * or build command run there with `STATIC_ROOT` pointing at a fresh output dir.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { errors, type Secret } from '@runbook/core';
import { $, ProcessOutput } from 'zx';
import { cacheControl, contentType } from './object-headers.js';
import type { ResolvedS3StaticOptions } from './options.js';
import type { LocalFile } from './sync-plan.js';

export interface Collected {
  /** the directory whose files are uploaded */
  dir: string;
  files: LocalFile[];
  /** removes the temp dirs */
  cleanup(): Promise<void>;
}

const lastLine = (s: string): string => s.trim().split('\n').pop() ?? '';

function failed(what: string, e: unknown): Error {
  if (e instanceof ProcessOutput) {
    return errors.command(what, e.exitCode, e.stderr || e.stdout, { plugin: 's3-static' });
  }
  return errors.config(`s3-static: ${what} failed: ${(e as Error).message}`, { plugin: 's3-static' });
}

/** Every regular file under `dir`, hashed, with its headers. */
export async function listFiles(dir: string, policy: ResolvedS3StaticOptions['cacheControl']): Promise<LocalFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: LocalFile[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    const name = relative(dir, path).split(sep).join('/');
    const body = await readFile(path);
    files.push({
      name,
      path,
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      md5: createHash('md5').update(body).digest('base64'),
      contentType: contentType(name),
      cacheControl: cacheControl(name, policy),
    });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Runs the collect command in the checkout (`<root>/<path>`, at `ref` unless it is false) and lists the
 * output. The command gets the env's secrets (the app's settings may need them to load), `env` and
 * `STATIC_ROOT`.
 */
export async function collect(o: ResolvedS3StaticOptions, root: string, secrets: Record<string, Secret>): Promise<Collected> {
  const checkout = resolve(root, o.path);
  const temps: string[] = [];
  const cleanup = async () => {
    for (const d of temps.reverse()) await rm(d, { recursive: true, force: true });
  };
  try {
    let workdir = checkout;
    if (o.ref !== false) {
      workdir = await mkdtemp(join(tmpdir(), 'rb-s3-src-'));
      temps.push(workdir);
      try {
        await $({ quiet: true })`git -C ${checkout} archive --format=tar ${o.ref} | tar -x -C ${workdir}`;
      } catch (e) {
        throw failed(`git archive ${o.ref} of ${checkout}`, e);
      }
    }
    let dir: string;
    if (o.outputDir !== undefined) dir = resolve(workdir, o.outputDir);
    else {
      dir = await mkdtemp(join(tmpdir(), 'rb-s3-static-'));
      temps.push(dir);
    }
    if (o.command !== false) {
      const env: Record<string, string> = { ...(process.env as Record<string, string>) };
      for (const [k, v] of Object.entries(secrets)) env[k] = v.reveal();
      Object.assign(env, o.env, { STATIC_ROOT: dir });
      try {
        await $({ cwd: workdir, env, quiet: true })`${o.command}`;
      } catch (e) {
        throw failed(`${o.command.join(' ')} (in ${o.path}${o.ref === false ? '' : ` at ${o.ref}`})`, e);
      }
    }
    let files: LocalFile[];
    try {
      files = await listFiles(dir, o.cacheControl);
    } catch (e) {
      throw errors.config(`s3-static: no output in ${dir}: ${lastLine((e as Error).message)} (is outputDir right?)`, { key: 'outputDir', plugin: 's3-static' });
    }
    return { dir, files, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
