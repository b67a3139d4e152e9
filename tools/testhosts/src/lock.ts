// Cross-process mutex: mkdir is atomic; the owner's pid inside lets others break a dead owner's lock.
import fs from 'node:fs';
import path from 'node:path';
import { isAlive, pidRef, sleep, type PidRef } from './proc.js';

export async function withLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 10 * 60_000): Promise<T> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const owner = path.join(dir, 'owner.json');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(owner, JSON.stringify(pidRef(process.pid)));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let ref: PidRef | undefined;
    try {
      ref = JSON.parse(fs.readFileSync(owner, 'utf8'));
    } catch {
      // owner file not written yet, or the owner died between mkdir and write: give it a moment
      const age = Date.now() - safeMtime(dir);
      if (age > 5000) ref = { pid: -1 };
    }
    if (ref && !isAlive(ref)) {
      // break the stale lock by renaming first, so two breakers cannot both win
      const tomb = `${dir}.stale-${process.pid}-${Date.now()}`;
      try {
        fs.renameSync(dir, tomb);
        fs.rmSync(tomb, { recursive: true, force: true });
      } catch {
        /* someone else broke it */
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${dir} (held by pid ${ref?.pid})`);
    await sleep(50 + Math.random() * 100);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function safeMtime(p: string): number {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return Date.now();
  }
}
