// apt-cacher-ng on the bridge: the hosts' only way to packages; it forwards to this machine's mirror.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { BRIDGE_ADDRESS, PROXY_PORT, cachePaths, statePaths } from './paths.js';
import { mirrorHost, readMirror } from './mirror.js';
import { isAlive, pidRef, signal, sleep, waitGone, type PidRef } from './proc.js';

export const proxyUrl = () => `http://${BRIDGE_ADDRESS}:${PROXY_PORT}`;

const files = () => {
  const d = statePaths().acng;
  return { dir: d, conf: path.join(d, 'conf'), log: path.join(d, 'log'), pid: path.join(d, 'pid.json'), out: path.join(d, 'apt-cacher-ng.out') };
};

export function proxyPid(): PidRef | undefined {
  try {
    return JSON.parse(fs.readFileSync(files().pid, 'utf8'));
  } catch {
    return undefined;
  }
}

export function renderAcngConf(mirror: string, dirs: { cache: string; log: string; run: string }): string {
  return [
    'SupportDir: /usr/lib/apt-cacher-ng',
    // the packaged default backend is not reachable from here: use this machine's own mirror
    'Remap-debrep: file:deb_mirror*.gz /debian ; file:backends_debian',
    `Remap-secdeb: /debian-security ; ${mirrorHost(mirror)}/debian-security`,
    'PassThroughPattern: ^$',
    'ExThreshold: 4',
    `BindAddress: ${BRIDGE_ADDRESS}`,
    `Port: ${PROXY_PORT}`,
    'ForeGround: 1',
    `CacheDir: ${dirs.cache}`,
    `LogDir: ${dirs.log}`,
    `SocketPath: ${path.join(dirs.run, 'acng.sock')}`,
    `PidFile: ${path.join(dirs.run, 'acng.pidfile')}`,
    '',
  ].join('\n');
}

/** Starts apt-cacher-ng unless our recorded one still runs. Needs the bridge address to exist. */
export async function ensureProxy(): Promise<PidRef> {
  const f = files();
  const cur = proxyPid();
  if (isAlive(cur)) return cur!;
  const mirror = readMirror();
  const cache = cachePaths().acngCache;
  for (const d of [f.conf, f.log, cache]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(f.conf, 'backends_debian'), `${mirror}/\n`);
  fs.writeFileSync(path.join(f.conf, 'acng.conf'), renderAcngConf(mirror, { cache, log: f.log, run: f.dir }));
  const out = fs.openSync(f.out, 'w');
  const child = spawn('/usr/sbin/apt-cacher-ng', ['-c', f.conf], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  const ref = pidRef(child.pid!);
  fs.writeFileSync(f.pid, JSON.stringify(ref) + '\n');
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(BRIDGE_ADDRESS, PROXY_PORT))) {
    if (!isAlive(ref) || Date.now() > deadline) {
      throw new Error(`apt-cacher-ng did not start on ${BRIDGE_ADDRESS}:${PROXY_PORT}; see ${f.out}`);
    }
    await sleep(100);
  }
  return ref;
}

export async function stopProxy(): Promise<void> {
  const ref = proxyPid();
  if (ref) {
    signal(ref, 'SIGTERM');
    if ((await waitGone([ref], 5000)).length) signal(ref, 'SIGKILL');
    await waitGone([ref], 2000);
  }
  fs.rmSync(files().pid, { force: true });
}

export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.once('timeout', () => done(false));
  });
}
