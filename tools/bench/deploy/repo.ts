/**
 * The app's git repository for the deploy bench: apps/demo-django as the root of a repository of its own
 * (branch main), served read-only by `git daemon` on the test bridge (10.77.0.1), which the hosts reach
 * from their network namespaces. Every tool clones or fetches from it, so all get the code the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BRIDGE_ADDRESS } from '@runbook/testhosts';
import { sh } from './proc.js';

export interface BenchRepo {
  /** git://10.77.0.1:<port>/demo.git */
  url: string;
  /** Commits a code change (no dependency change) on main; returns its sha. */
  commit(label: string): Promise<string>;
  /** The sha of main. */
  head(): Promise<string>;
  close(): Promise<void>;
}

const freePort = (host: string): Promise<number> => new Promise((res, rej) => {
  const s = net.createServer();
  s.on('error', rej);
  s.listen(0, host, () => { const p = (s.address() as net.AddressInfo).port; s.close(() => res(p)); });
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await sh('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { cwd });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${r.stderr}`);
  return r.stdout.trim();
}

export async function benchRepo(appDir: string): Promise<BenchRepo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdep-repo-'));
  const work = path.join(dir, 'work');
  const bare = path.join(dir, 'demo.git');
  fs.cpSync(appDir, work, { recursive: true, filter: (p) => !/__pycache__|\.pyc$|db\.sqlite3$|staticfiles$/.test(p) });
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'demo-django');
  await git(dir, 'clone', '-q', '--bare', work, bare);
  await git(work, 'remote', 'add', 'origin', bare);
  const port = await freePort(BRIDGE_ADDRESS);
  // git-daemon itself (not `git daemon`, which runs it as a child of its own): the pid we stop is the server's
  const daemonBin = path.join((await sh('git', ['--exec-path'])).stdout.trim(), 'git-daemon');
  const daemon: ChildProcess = spawn(daemonBin, ['--reuseaddr', '--export-all', `--base-path=${dir}`,
    `--listen=${BRIDGE_ADDRESS}`, `--port=${port}`, dir], { stdio: 'ignore' });
  const url = `git://${BRIDGE_ADDRESS}:${port}/demo.git`;
  for (let i = 0; i < 50 && (await sh('git', ['ls-remote', url])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  let n = 0;
  return {
    url,
    async commit(label) {
      // a code change only: requirements.txt stays as it is, so the venv may be reused
      fs.appendFileSync(path.join(work, 'pages/views.py'), `# bench deploy ${++n}: ${label}\n`);
      await git(work, 'commit', '-q', '-am', `bench: ${label}`);
      await git(work, 'push', '-q', 'origin', 'main');
      return git(work, 'rev-parse', 'HEAD');
    },
    head: () => git(work, 'rev-parse', 'HEAD'),
    async close() {
      if (daemon.pid && daemon.exitCode === null) daemon.kill('SIGTERM'); // our own child, by its pid
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
