// Process liveness by pid + start time, so a recycled pid never counts as "our" process.
import fs from 'node:fs';

export interface PidRef {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); absent = check pid only. */
  start?: number;
}

function readStat(pid: number): { state: string; start: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parens: fields start after the last ')'
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], start: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

export function pidRef(pid: number): PidRef {
  return { pid, start: readStat(pid)?.start };
}

/** Alive = exists, is not a zombie, and (if recorded) started at the same tick. */
export function isAlive(ref: PidRef | undefined): boolean {
  if (!ref || !Number.isInteger(ref.pid) || ref.pid <= 0) return false;
  const st = readStat(ref.pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return ref.start === undefined || ref.start === st.start;
}

export function signal(ref: PidRef, sig: NodeJS.Signals): void {
  if (!isAlive(ref)) return;
  try {
    process.kill(ref.pid, sig);
  } catch {
    /* already gone */
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until every process is gone; returns those still alive after the deadline. */
export async function waitGone(refs: PidRef[], timeoutMs: number): Promise<PidRef[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = refs.filter(isAlive);
  while (alive.length && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/**
 * Pids of processes inside a network namespace we created. Killing nspawn with SIGKILL orphans the
 * container's systemd, which keeps running; the netns it sits in is how we find it again (by the
 * namespace's inode, never by a process name).
 */
export function pidsInNetns(nsPath: string): number[] {
  let ino: number;
  try {
    ino = fs.statSync(nsPath).ino;
  } catch {
    return [];
  }
  const want = `net:[${ino}]`;
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readlinkSync(`/proc/${p}/ns/net`) === want) out.push(Number(p));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}
