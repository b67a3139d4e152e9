/** Small process helpers of the deploy bench. */
import { execFile, spawn } from 'node:child_process';

export interface Ran { code: number; stdout: string; stderr: string }

export const sh = (cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Ran> =>
  new Promise((res) => {
    const child = execFile(cmd, args, { cwd: o.cwd, env: o.env, maxBuffer: 256 << 20 }, (err, stdout, stderr) =>
      res({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }));
    if (o.input !== undefined) child.stdin?.end(o.input);
  });

/** Runs a tool to its end; wall time in seconds from spawn to exit. */
export function timed(cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Ran & { wall: number }> {
  return new Promise((res) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => res({ code: 127, stdout, stderr: String(e), wall: 0 }));
    child.on('close', (code) => res({ code: code ?? 1, stdout, stderr, wall: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
