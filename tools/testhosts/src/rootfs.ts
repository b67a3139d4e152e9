// The cached base rootfs (overlay lowerdir) and its tarball; built once, rebuilt only when missing/broken.
import fs from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { cachePaths, DEFAULT_RELEASE, recipeVersion, type Release } from './paths.js';
import { aptSources, readMirror } from './mirror.js';
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

function tarballOk(release: Release): boolean {
  const c = cachePaths(release);
  try {
    const s: Stamp = JSON.parse(fs.readFileSync(c.stamp, 'utf8'));
    return s.version === recipeVersion(release) && fs.statSync(c.tarball).size === s.tarSize && s.tarSize > 0;
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

export interface BuildOptions {
  /** The Debian release to build (each has its own cached rootfs). @default 'bookworm' */
  release?: Release;
  force?: boolean;
  log?: (s: string) => void;
}

export async function buildRootfs(opts: BuildOptions = {}): Promise<BuildResult> {
  const t0 = Date.now();
  const release = opts.release ?? DEFAULT_RELEASE;
  const c = cachePaths(release);
  const log = opts.log ?? (() => {});
  fs.mkdirSync(c.dir, { recursive: true });
  return withLock(c.buildLock, async () => {
    await ensureClientKey();
    const done = (action: BuildResult['action']): BuildResult =>
      ({ action, seconds: (Date.now() - t0) / 1000, rootfs: c.rootfs, tarball: c.tarball });
    // whatever a killed build of this release left: only the lock holder builds it, so its temps are stale.
    // Temps end in `.part-<pid>`, never `.tmp-<pid>`, which code from before releases removes under its lock.
    const mine = [c.rootfs, c.tarball, c.stamp].map((p) => `${path.basename(p)}.`);
    const stale = (f: string) => mine.some((m) => f.startsWith(m)) && /\.(part|tmp|old)-\d+$/.test(f);
    for (const f of fs.readdirSync(c.dir).filter(stale)) {
      await removeTree(path.join(c.dir, f));
    }
    const haveTar = !opts.force && tarballOk(release);
    if (haveTar && rootfsOk(c.rootfs)) return done('cached');
    if (fs.existsSync(c.rootfs) && lowerInUse(c.rootfs)) {
      throw new Error(`${c.rootfs} needs a rebuild but running hosts use it as their base: run down first`);
    }
    const tmp = `${c.rootfs}.part-${process.pid}`;
    if (haveTar) {
      log(`extracting ${c.tarball}`);
      fs.mkdirSync(tmp);
      await $`tar -C ${tmp} --numeric-owner -xpf ${c.tarball}`.quiet();
      if (!rootfsOk(tmp)) throw new Error(`tarball ${c.tarball} gives a broken rootfs; rerun with --force`);
    } else {
      await debootstrap(release, tmp, log);
      log('writing tarball');
      const tarTmp = `${c.tarball}.part-${process.pid}`;
      await $`tar -C ${tmp} --numeric-owner -cpf ${tarTmp} .`.quiet();
      fs.renameSync(tarTmp, c.tarball);
      const stamp: Stamp = { version: recipeVersion(release), tarSize: fs.statSync(c.tarball).size };
      fs.writeFileSync(`${c.stamp}.part-${process.pid}`, JSON.stringify(stamp) + '\n');
      fs.renameSync(`${c.stamp}.part-${process.pid}`, c.stamp);
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

async function debootstrap(release: Release, root: string, log: (s: string) => void): Promise<void> {
  const c = cachePaths(release);
  const mirror = readMirror();
  fs.mkdirSync(c.debs, { recursive: true });
  if (!fs.existsSync(`/usr/share/debootstrap/scripts/${release}`)) {
    throw new Error(`this machine's debootstrap does not know ${release} (no /usr/share/debootstrap/scripts/${release}); `
      + `upgrade debootstrap or link the script: ln -s sid /usr/share/debootstrap/scripts/${release}`);
  }
  log(`debootstrap ${release} (minbase) from this machine's apt mirror`);
  try {
    await $`debootstrap --variant=minbase --cache-dir=${c.debs} --include=${PACKAGES.join(',')} ${release} ${root} ${mirror}`.quiet();
  } catch (e) {
    const tail = fs.existsSync(`${root}/debootstrap/debootstrap.log`)
      ? fs.readFileSync(`${root}/debootstrap/debootstrap.log`, 'utf8').split('\n').slice(-20).join('\n') : '';
    throw new Error(`debootstrap failed: ${(e as Error).message}\n${tail}`);
  }
  log('configuring users, sshd, locale');
  await configure(release, root, mirror);
}

async function configure(release: Release, R: string, mirror: string): Promise<void> {
  const c = cachePaths();
  const w = (p: string, s: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(R, p)), { recursive: true });
    fs.writeFileSync(path.join(R, p), s, { mode });
    fs.chmodSync(path.join(R, p), mode);
  };
  // as a fresh install of the release has them: one-line sources.list on bookworm, deb822 from trixie on
  fs.rmSync(path.join(R, 'etc/apt/sources.list'), { force: true });
  fs.rmSync(path.join(R, 'etc/apt/sources.list.d/debian.sources'), { force: true });
  const sources = aptSources(release, mirror);
  w(sources.path, sources.text);
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
