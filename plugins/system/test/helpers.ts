/** Shared harness: real shell on this machine through LocalConnection + runTask, in a temp dir. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection, runTask, type Task, type TaskResult } from '@runbook/core';

export const HOSTILE = `we ird 'q' "dq" $(touch PWNED) \`touch PWNED2\` ;x\nnl`;

export function tempDir(prefix = 'rb-sys-'): { dir: string; cleanup: () => void } {
  // a hostile directory name on purpose: every primitive must quote every path
  const dir = mkdtempSync(join(tmpdir(), `${prefix}sp ace'q"$(x)-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function run(task: Task, opts: { check?: boolean } = {}): Promise<TaskResult & { execs: number }> {
  const conn = new LocalConnection();
  const r = await runTask(conn, task, { alias: 'localhost', user: 'root', vars: {}, check: opts.check ?? false });
  return { ...r, execs: conn.stats.execs };
}

/** Temp files (`.rb.*`) left behind anywhere under dir. */
export function leftovers(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /(^|\/)\.rb\./.test(f));
}
