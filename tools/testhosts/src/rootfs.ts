// The cached base rootfs (overlay lowerdir) and its tarball; built once, rebuilt only when missing/broken.
import fs from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { cachePaths, RECIPE_VERSION, SUITE } from './paths.js';
import { readMirror, securityFor } from './mirror.js';
import { withLock } from './lock.js';
import { removeTree } from './mounts.js';

export const PACKAGES = [
  'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'python3', 'sudo',
  'iproute2', 'ca-certificates', 'procps', 'locales',
];

export interface BuildResult {
  /** 'cached' = nothing to do, 'extracted' = rootfs restored from the tarball, 'built' = debootstrap ran. */
  action: 'cached' | 'extracted' | 'built';
  seconds: number;
  rootfs: string;
  tarball: string;
}

interface Stamp { version: string; tarSize: number }

export async function ensureClientKey(): Promise<void> {
  const c = cachePaths();
  fs.mkdirSync(c.dir, { recursive: true });
  if (fs.existsSync(c.key) && fs.existsSync(c.pubKey)) return;
  fs.rmSync(c.key, { force: true });
  fs.rmSync(c.pubKey, { force: true });
  await $`ssh-keygen -q -t ed25519 -N ${''} -C runbook-testhosts -f ${c.key}`.quiet();
}

function tarballOk(): boolean {
  const c = cachePaths();
  try {
    const s: Stamp = JSON.parse(fs.readFileSync(c.stamp, 'utf8'));
    return s.version === RECIPE_VERSION && fs.statSync(c.tarball).size === s.tarSize && s.tarSize > 0;
  } catch {
    return false;
  }
}

/** A rootfs is usable when the things the hosts need are there and trust the current client key. */
export function rootfsOk(root = cachePaths().rootfs): boolean {
  const need = ['usr/bin/systemctl', 'usr/sbin/sshd', 'usr/bin/python3', 'usr/bin/sudo', 'sbin/init', 'etc/sudoers.d/deploy'];
  if (!need.every((p) => fs.existsSync(path.join(root, p)))) return false;
  try {
    const pub = fs.readFileSync(cachePaths().pubKey, 'utf8').trim();
    const auth = (p: string) => fs.readFileSync(path.join(root, p), 'utf8').trim();
    return auth('root/.ssh/authorized_keys') === pub && auth('home/deploy/.ssh/authorized_keys') === pub;
  } catch {
    return false;
  }
}

export async function buildRootfs(opts: { force?: boolean; log?: (s: string) => void } = {}): Promise<BuildResult> {
  const t0 = Date.now();
  const c = cachePaths();
  const log = opts.log ?? (() => {});
  fs.mkdirSync(c.dir, { recursive: true });
  return withLock(path.join(c.dir, 'build.lock'), async () => {
    await ensureClientKey();
    const done = (action: BuildResult['action']): BuildResult =>
      ({ action, seconds: (Date.now() - t0) / 1000, rootfs: c.rootfs, tarball: c.tarball });
    // whatever a killed build left: only the lock holder builds, so every temp is stale
    for (const f of fs.readdirSync(c.dir).filter((f) => /\.tmp-\d+$|\.old-\d+$/.test(f))) {
      await removeTree(path.join(c.dir, f));
    }
    const haveTar = !opts.force && tarballOk();
    if (haveTar && rootfsOk()) return done('cached');
    if (fs.existsSync(c.rootfs) && lowerInUse(c.rootfs)) {
      throw new Error(`${c.rootfs} needs a rebuild but running hosts use it as their base: run down first`);
    }
    const tmp = `${c.rootfs}.tmp-${process.pid}`;
    if (haveTar) {
      log(`extracting ${c.tarball}`);
      fs.mkdirSync(tmp);
      await $`tar -C ${tmp} --numeric-owner -xpf ${c.tarball}`.quiet();
      if (!rootfsOk(tmp)) throw new Error(`tarball ${c.tarball} gives a broken rootfs; rerun with --force`);
    } else {
      await debootstrap(tmp, log);
      log('writing tarball');
      const tarTmp = `${c.tarball}.tmp-${process.pid}`;
      await $`tar -C ${tmp} --numeric-owner -cpf ${tarTmp} .`.quiet();
      fs.renameSync(tarTmp, c.tarball);
      const stamp: Stamp = { version: RECIPE_VERSION, tarSize: fs.statSync(c.tarball).size };
      fs.writeFileSync(`${c.stamp}.tmp-${process.pid}`, JSON.stringify(stamp) + '\n');
      fs.renameSync(`${c.stamp}.tmp-${process.pid}`, c.stamp);
    }
    // swap in atomically; an old broken rootfs is moved aside first, then removed
    if (fs.existsSync(c.rootfs)) {
      const old = `${c.rootfs}.old-${process.pid}`;
      fs.renameSync(c.rootfs, old);
      await removeTree(old);
    }
    fs.renameSync(tmp, c.rootfs);
    return done(haveTar ? 'extracted' : 'built');
  });
}

/** Overlays of running hosts list the base rootfs as lowerdir in /proc/mounts. */
function lowerInUse(root: string): boolean {
  return fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.includes(`lowerdir=${root},`));
}

async function debootstrap(root: string, log: (s: string) => void): Promise<void> {
  const c = cachePaths();
  const mirror = readMirror();
  fs.mkdirSync(c.debs, { recursive: true });
  log(`debootstrap ${SUITE} (minbase) from this machine's apt mirror`);
  try {
    await $`debootstrap --variant=minbase --cache-dir=${c.debs} --include=${PACKAGES.join(',')} ${SUITE} ${root} ${mirror}`.quiet();
  } catch (e) {
    const tail = fs.existsSync(`${root}/debootstrap/debootstrap.log`)
      ? fs.readFileSync(`${root}/debootstrap/debootstrap.log`, 'utf8').split('\n').slice(-20).join('\n') : '';
    throw new Error(`debootstrap failed: ${(e as Error).message}\n${tail}`);
  }
  log('configuring users, sshd, locale');
  await configure(root, mirror);
}

async function configure(R: string, mirror: string): Promise<void> {
  const c = cachePaths();
  const w = (p: string, s: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(R, p)), { recursive: true });
    fs.writeFileSync(path.join(R, p), s, { mode });
    fs.chmodSync(path.join(R, p), mode);
  };
  w('etc/apt/sources.list', [`deb ${mirror} ${SUITE} main`, `deb ${mirror} ${SUITE}-updates main`, `deb ${securityFor(mirror)} ${SUITE}-security main`, ''].join('\n'));
  fs.rmSync(path.join(R, 'etc/apt/sources.list.d/debian.sources'), { force: true });
  const pub = fs.readFileSync(c.pubKey, 'utf8');
  await $`chroot ${R} useradd -m -s /bin/bash -G sudo deploy`.quiet();
  for (const [home, owner] of [['root', '0:0'], ['home/deploy', 'deploy:deploy']]) {
    fs.mkdirSync(path.join(R, home, '.ssh'), { recursive: true, mode: 0o700 });
    w(`${home}/.ssh/authorized_keys`, pub, 0o600);
    await $`chroot ${R} chown -R ${owner} /${home}/.ssh`.quiet();
  }
  w('etc/sudoers.d/deploy', 'deploy ALL=(ALL) NOPASSWD:ALL\n', 0o440);
  w('etc/ssh/sshd_config.d/10-runbook-testhosts.conf',
    'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUseDNS no\nHostKey /etc/ssh/ssh_host_ed25519_key\n');
  for (const f of fs.readdirSync(path.join(R, 'etc/ssh')).filter((f) => f.startsWith('ssh_host_'))) {
    fs.rmSync(path.join(R, 'etc/ssh', f)); // each host gets its own key at up()
  }
  w('etc/locale.gen', 'en_US.UTF-8 UTF-8\n');
  await $`chroot ${R} locale-gen`.quiet();
  w('etc/default/locale', 'LANG=C.UTF-8\n');
  // no consoles to serve; no background apt runs holding the dpkg lock during tests
  const mask = ['getty@tty1.service', 'serial-getty@ttyS0.service', 'console-getty.service',
    'apt-daily.timer', 'apt-daily-upgrade.timer', 'systemd-networkd-wait-online.service'];
  for (const u of mask) {
    fs.rmSync(path.join(R, 'etc/systemd/system', u), { force: true });
    fs.symlinkSync('/dev/null', path.join(R, 'etc/systemd/system', u));
  }
  w('etc/machine-id', '');
  w('etc/hostname', 'localhost\n');
  await $`chroot ${R} apt-get clean`.quiet();
  fs.rmSync(path.join(R, 'debootstrap'), { recursive: true, force: true });
}
