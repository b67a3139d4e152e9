// A command inside a running test host without ssh (nsenter into its init's namespaces): for tests that
// stop the host's sshd and must bring it back at a moment of their choosing.
import fs from 'node:fs';
import { $ } from 'zx';
import type { TestHost } from './up.js';

/** The container's init: the child of the host's nspawn that is pid 1 in its own pid namespace. */
export function initPid(nspawnPid: number): number {
  const children = fs.readdirSync(`/proc/${nspawnPid}/task`).flatMap((t) =>
    fs.readFileSync(`/proc/${nspawnPid}/task/${t}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
  for (const pid of children) {
    const nspid = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1].trim().split(/\s+/);
    if (nspid && nspid.length > 1 && nspid[nspid.length - 1] === '1') return pid;
  }
  throw new Error(`no container init among the children of nspawn ${nspawnPid}`);
}

/**
 * Runs `command` with `sh -c` as root inside the host (every namespace of its init).
 * @example await inHost(hosts.hosts[1], 'systemctl start ssh.service')
 */
export async function inHost(host: TestHost, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await $({ nothrow: true, quiet: true })`nsenter --target ${initPid(host.pid)} --all sh -c ${command}`;
  return { code: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}
