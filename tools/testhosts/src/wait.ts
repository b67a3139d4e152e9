// Ready = sshd sends its banner; read straight from a TCP socket, no ssh binary needed.
import net from 'node:net';
import { sleep } from './proc.js';

export function readBanner(host: string, port = 22, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const s = net.connect({ host, port, timeout: timeoutMs });
    const done = (v: string | undefined) => { s.destroy(); resolve(v); };
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) done(line.startsWith('SSH-2.0') ? line.trim() : undefined);
    });
    s.once('error', () => done(undefined));
    s.once('timeout', () => done(undefined));
    s.once('close', () => done(undefined));
  });
}

/** Polls until the banner arrives; `stillRunning` lets a dead container fail fast instead of at the deadline. */
export async function waitForSsh(host: string, opts: { timeoutMs: number; stillRunning?: () => boolean }): Promise<string> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const b = await readBanner(host);
    if (b) return b;
    if (opts.stillRunning && !opts.stillRunning()) throw new Error('container exited before sshd answered');
    if (Date.now() > deadline) throw new Error(`sshd did not answer within ${opts.timeoutMs / 1000}s`);
    await sleep(100);
  }
}
