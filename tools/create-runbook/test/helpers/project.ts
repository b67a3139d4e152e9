/** Test helpers: a copy of a fixture in a temp dir, an ssh config, and create() with captured output. */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { create } from '../../src/create.js';

export const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures', name);

export const SSH_CONFIG = `Host *
  ServerAliveInterval 30
Host prod-web-1 prod-web-2
  User deploy
Host prod-web-1
  HostName 10.0.0.11
Host stg-1
  HostName stg.example.com
Host bastion-*
`;

/** A temp dir with a copy of the fixture (or empty) and an ssh config at ssh_config. */
export function project(name?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cr-'));
  if (name) cpSync(fixture(name), dir, { recursive: true });
  writeFileSync(join(dir, 'ssh_config'), SSH_CONFIG);
  return dir;
}

export interface Created { code: number; stdout: string; stderr: string; npm: string[][] }

/** create-runbook in `dir` with stdin not a terminal, npm recorded instead of run. */
export async function runCreate(dir: string, argv: string[]): Promise<Created> {
  const out = { stdout: '', stderr: '' };
  const sink = (k: 'stdout' | 'stderr') => Object.assign(new PassThrough(), { write: (s: string) => ((out[k] += s), true) });
  const npm: string[][] = [];
  const code = await create(argv, { cwd: dir, stdin: new PassThrough(), stdout: sink('stdout'), stderr: sink('stderr'), npm: (args) => (npm.push(args), 0) });
  return { code, ...out, npm };
}
