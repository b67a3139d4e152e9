/**
 * The control machine as a host: `localhost` in an inventory, and the harness for table tests of tasks
 * that run real shell in a temp dir.
 */
import { spawn } from 'node:child_process';
import { newStats, type Connection, type ExecOptions, type ExecResult } from './connection.js';

export class LocalConnection implements Connection {
  readonly stats = newStats();
  constructor(readonly alias = 'localhost') {}

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.stats.execs++;
    this.stats.bytesSent += command.length + (opts.stdin?.length ?? 0);
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        this.stats.bytesReceived += stdout.length + stderr.length;
        resolve({ stdout, stderr, code, signal: signal ?? undefined });
      });
      child.stdin.on('error', () => {}); // the command may exit before reading all of stdin
      child.stdin.end(opts.stdin ?? '');
    });
  }

  async close(): Promise<void> {}
}
