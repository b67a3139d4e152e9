/**
 * The `upload` source: the control machine packs its checkout with `git archive --format=tar.gz <ref>`.
 * Tasks are planned synchronously, so this runs synchronously (execFileSync) while the deploy is planned,
 * once per commit: every host of the run gets the same tarball.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { errors } from '@runbook/core';

export interface PackedSource {
  /** the full commit `ref` resolved to */
  commit: string;
  /** `git archive --format=tar.gz` of that commit */
  tarball: Buffer;
}

const packed = new Map<string, PackedSource>();

function git(dir: string, args: string[]): Buffer {
  try {
    return execFileSync('git', ['-C', dir, ...args], { maxBuffer: 1024 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
    throw errors.options(`app: source.upload: git ${args[0]} in ${dir} failed: ${stderr.split('\n').pop()}`, { key: 'source.upload', plugin: 'app' });
  }
}

/** Resolves `ref` in the checkout at `path` and packs that commit (cached by commit). */
export function packUpload(path: string, ref = 'HEAD'): PackedSource {
  const dir = resolve(path);
  const commit = git(dir, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`]).toString().trim();
  const key = `${dir}\0${commit}`;
  let p = packed.get(key);
  if (!p) {
    p = { commit, tarball: git(dir, ['archive', '--format=tar.gz', commit]) };
    packed.set(key, p);
  }
  return p;
}
