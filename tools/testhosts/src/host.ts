// One host: overlay root, identity files, network, the nspawn process; and tearing all that down.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { $ } from 'zx';
import { hostDirs, logFile, slotNames } from './paths.js';
import { createHostNet, deleteHostNet } from './net.js';
import { removeTree, unmountUnder } from './mounts.js';
import { proxyUrl } from './proxy.js';
import { pidRef, pidsInNetns, signal, waitGone, type PidRef } from './proc.js';
import type { SlotRecord } from './slots.js';
import { hostCgroups, removeHostCgroups } from './cgroup.js';

/** Writes a file inside the container root without following a symlink planted there. */
function put(root: string, rel: string, text: string, mode = 0o644): void {
  const p = path.join(root, rel);
  fs.rmSync(p, { force: true });
  fs.writeFileSync(p, text, { mode });
}

/** Mounts the overlay on the release's base rootfs and writes the host's identity; returns its ssh host public key. */
export async function prepareHost(r: SlotRecord, peers: Array<{ name: string; address: string }>, base: string): Promise<string> {
  const d = hostDirs(r.name);
  await removeTree(d.dir); // a same-named host of an earlier run
  for (const p of [d.root, d.upper, d.work]) fs.mkdirSync(p, { recursive: true });
  await $`mount -t overlay overlay -o ${`lowerdir=${base},upperdir=${d.upper},workdir=${d.work}`} ${d.root}`.quiet();
  put(d.root, 'etc/hostname', `${r.name}\n`);
  put(d.root, 'etc/hosts', [
    '127.0.0.1 localhost', `127.0.1.1 ${r.name}`, '::1 localhost ip6-localhost ip6-loopback',
    ...peers.map((p) => `${p.address} ${p.name}`), '',
  ].join('\n'));
  // no DNS server on the bridge; no nameserver line = fast "refused" instead of slow timeouts
  put(d.root, 'etc/resolv.conf', '# disposable test host: no DNS; apt goes through the proxy\n');
  put(d.root, 'etc/apt/apt.conf.d/01proxy', `Acquire::http::Proxy "${proxyUrl()}";\n`);
  // systemd-tmpfiles creates /run/nologin at boot and systemd-user-sessions removes it; until then (or for
  // good, when that unit fails under load) sshd refuses every non-root login although its banner is up
  const nologin = path.join(d.root, 'etc/tmpfiles.d/systemd-nologin.conf');
  fs.mkdirSync(path.dirname(nologin), { recursive: true });
  fs.rmSync(nologin, { force: true });
  fs.symlinkSync('/dev/null', nologin);
  const key = path.join(d.root, 'etc/ssh/ssh_host_ed25519_key');
  fs.rmSync(key, { force: true });
  fs.rmSync(`${key}.pub`, { force: true });
  await $`ssh-keygen -q -t ed25519 -N ${''} -C ${`root@${r.name}`} -f ${key}`.quiet();
  return fs.readFileSync(`${key}.pub`, 'utf8').split(/\s+/).slice(0, 2).join(' ');
}

/** Starts the host's nspawn in cgroups of its own (recorded in `r.cgroups`); returns its process. */
export async function bootHost(r: SlotRecord, o: { capabilities?: string[] } = {}): Promise<PidRef> {
  await createHostNet(r.slot);
  const d = hostDirs(r.name);
  const log = logFile(r.name);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const out = fs.openSync(log, 'w');
  const args = ['-b', '-D', d.root, '-M', r.name, '--register=no', '--keep-unit', '--link-journal=no',
    `--network-namespace-path=/run/netns/${slotNames(r.slot).netns}`,
    '--resolv-conf=off', '--timezone=off', '--console=passive'];
  if (o.capabilities?.length) args.push(`--capability=${o.capabilities.join(',')}`);
  r.cgroups = hostCgroups(r.name);
  // the shell moves itself into the host's cgroups, then becomes nspawn (same pid)
  const enter = 'IFS=:; for d in $RB_CGROUPS; do echo $$ > "$d/cgroup.procs" || exit 1; done; unset IFS; exec systemd-nspawn "$@"';
  // detached = own session (setsid): the container outlives this process and its terminal
  const child = spawn('sh', ['-c', enter, 'sh', ...args], {
    detached: true, stdio: ['ignore', out, out], env: { ...process.env, RB_CGROUPS: r.cgroups.join(':') },
  });
  fs.closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`could not start systemd-nspawn for ${r.name}; see ${log}`);
  return pidRef(child.pid);
}

/** SIGTERM = clean poweroff of the container's systemd; SIGKILL whoever is left after the grace. */
export async function stopContainers(refs: PidRef[], graceMs = 10_000): Promise<void> {
  for (const p of refs) signal(p, 'SIGTERM');
  const left = await waitGone(refs, graceMs);
  for (const p of left) signal(p, 'SIGKILL');
  await waitGone(left, 3000);
}

/** Clears every trace of a slot's host (the process must be gone already). */
export async function clearHost(slot: number, record?: SlotRecord): Promise<void> {
  const name = record?.name;
  const orphans = pidsInNetns(`/run/netns/${slotNames(slot).netns}`).map(pidRef);
  for (const p of orphans) signal(p, 'SIGKILL');
  await waitGone(orphans, 5000);
  if (name) {
    const d = hostDirs(name);
    await unmountUnder(d.root);
    await removeTree(d.dir);
    fs.rmSync(`/run/systemd/nspawn/propagate/${name}`, { recursive: true, force: true });
  }
  removeHostCgroups(record?.cgroups ?? []);
  await deleteHostNet(slot);
}
