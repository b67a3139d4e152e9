/**
 * Set names that two checkouts on one machine cannot share. `up` replaces a set of the same name (it
 * stops its hosts first), so two checkouts (git worktrees, a clone beside the main one) running the same
 * integration test at once would stop each other's hosts. A fixed name plus a hash of the checkout keeps
 * the name stable within one checkout (a re-run still clears its own leftovers) and different between two.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkSet } from './names.js';

const HASH_LETTERS = 5;

/** The checkout `from` lies in: the nearest directory upwards with a `.git` (a directory, or a worktree's file); else `from`. */
export function checkoutRoot(from: string = process.cwd()): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/**
 * `base` plus `-` and five letters from a hash of the checkout's path and `base`; within the set-name
 * rules (names.ts: ≤ 32 characters, ends in a letter), `base` shortened when needed.
 * @example boot(checkoutSet('itsupervisor'))   // 'itsupervisor-kfpbd' in this checkout, other letters in another
 */
export function checkoutSet(base: string, from?: string): string {
  checkSet(base);
  const digest = createHash('sha256').update(`${checkoutRoot(from)}\0${base}`).digest();
  const letters = Array.from(digest.subarray(0, HASH_LETTERS), (b) => String.fromCharCode(97 + (b % 26))).join('');
  const head = base.slice(0, 32 - HASH_LETTERS - 1).replace(/[^a-z]+$/, '');
  return checkSet(`${head}-${letters}`);
}
