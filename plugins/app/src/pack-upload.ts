/**
 * The `upload` source: the control machine packs its checkout with `git archive --format=tar.gz <ref>`,
 * once per commit: every host of the run gets the same tarball. The plugin's `prepare` hook packs it
 * before planning (async); `packUpload` is the synchronous form for plans made without `prepare`.
 * It also names the tree (a release with the same tree is copied on the host, not sent again) and
 * lists it (the static files' key, static-key.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { errors } from '@runbook/core';

export interface PackedSource {
  /** the full commit `ref` resolved to */
  commit: string;
  /** `git archive --format=tar.gz` of that commit */
  tarball: Buffer;
  /** the git tree id of what the tarball holds: equal ids, equal code (app.release copies instead of sending) */
  tree: string;
  /** `git ls-tree -r` of that tree (mode, type, blob id, path per line): what the static key hashes */
  listing: string;
}

const packed = new Map<string, PackedSource>();

const execFile$ = promisify(execFile);
const MAX = 1024 * 1024 * 1024;

const failed = (dir: string, args: string[], e: unknown) => {
  const stderr = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
  return errors.options(`app: source.upload: git ${args[0]} in ${dir} failed: ${stderr.split('\n').pop()}`, { key: 'source.upload', plugin: 'app' });
};

function git(dir: string, args: string[]): Buffer {
  try {
    return execFileSync('git', ['-C', dir, ...args], { maxBuffer: MAX, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw failed(dir, args, e);
  }
}

async function gitAsync(dir: string, args: string[]): Promise<Buffer> {
  try {
    return (await execFile$('git', ['-C', dir, ...args], { maxBuffer: MAX, encoding: 'buffer' })).stdout;
  } catch (e) {
    throw failed(dir, args, e);
  }
}

const revParse = (ref: string): string[] => ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`];

/** Resolves `ref` in the checkout at `path` and packs that commit (cached by commit). */
export function packUpload(path: string, ref = 'HEAD'): PackedSource {
  const dir = resolve(path);
  const commit = git(dir, revParse(ref)).toString().trim();
  const key = `${dir}\0${commit}`;
  let p = packed.get(key);
  if (!p) {
    const tree = git(dir, ['rev-parse', '--verify', `${commit}:./`]).toString().trim();
    p = { commit, tarball: git(dir, ['archive', '--format=tar.gz', commit]), tree, listing: git(dir, ['ls-tree', '-r', tree]).toString() };
    packed.set(key, p);
  }
  return p;
}

/** The same, without blocking: for the plugin's `prepare` hook. */
export async function packUploadAsync(path: string, ref = 'HEAD'): Promise<PackedSource> {
  const dir = resolve(path);
  const commit = (await gitAsync(dir, revParse(ref))).toString().trim();
  const key = `${dir}\0${commit}`;
  let p = packed.get(key);
  if (!p) {
    const tree = (await gitAsync(dir, ['rev-parse', '--verify', `${commit}:./`])).toString().trim();
    const [tarball, listing] = await Promise.all([gitAsync(dir, ['archive', '--format=tar.gz', commit]), gitAsync(dir, ['ls-tree', '-r', tree])]);
    p = { commit, tarball, tree, listing: listing.toString() };
    packed.set(key, p);
  }
  return p;
}
