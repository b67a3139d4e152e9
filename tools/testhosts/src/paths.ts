// Where things live. Caches (rootfs, packages, keys) survive runs; state (overlays, pids) is per run.
import path from 'node:path';

/** The Debian releases a host can boot; the first is the default. */
export const RELEASES = ['bookworm', 'trixie'] as const;
export type Release = (typeof RELEASES)[number];
export const DEFAULT_RELEASE: Release = 'bookworm';
/** Bump when the rootfs recipe changes: a cached rootfs of an older recipe is rebuilt. */
export const recipeVersion = (release: Release) => `${release}-minbase-v1`;

/** A release name from an option or the command line, or a clear error. */
export function checkRelease(value: string | undefined): Release {
  if (value === undefined) return DEFAULT_RELEASE;
  if ((RELEASES as readonly string[]).includes(value)) return value as Release;
  throw new Error(`release: expected one of ${RELEASES.join(', ')}, got ${JSON.stringify(value)}`);
}
export const BRIDGE = 'rbthbr0';
export const NET_PREFIX = '10.77.0';
export const BRIDGE_ADDRESS = `${NET_PREFIX}.1`;
export const PROXY_PORT = 3142;
/** Slot n gets 10.77.0.(10+n); .255 is broadcast. */
export const MAX_SLOT = 244;

export function cacheDir(): string {
  return process.env.RUNBOOK_TESTHOSTS_CACHE || '/var/cache/runbook-testhosts';
}

export function stateDir(): string {
  return process.env.RUNBOOK_TESTHOSTS_STATE || '/var/lib/runbook-testhosts';
}

/**
 * One rootfs, tarball, stamp and build lock per release. Bookworm's keep the names they had before there
 * was a second release, so an existing cache stays valid (and hosts booted by older code keep their base).
 */
export const cachePaths = (release: Release = DEFAULT_RELEASE) => {
  const c = cacheDir();
  const first = release === DEFAULT_RELEASE;
  return {
    dir: c,
    rootfs: path.join(c, first ? 'rootfs' : `rootfs-${release}`),
    tarball: path.join(c, `${release}-base.tar`),
    stamp: path.join(c, `${release}-base.stamp.json`),
    buildLock: path.join(c, first ? 'build.lock' : `build-${release}.lock`),
    debs: path.join(c, 'debootstrap-debs'),
    acngCache: path.join(c, 'apt-cacher-ng'),
    key: path.join(c, 'id_ed25519'),
    pubKey: path.join(c, 'id_ed25519.pub'),
  };
};

export const statePaths = () => {
  const s = stateDir();
  return {
    dir: s,
    lock: path.join(s, 'lock'),
    slots: path.join(s, 'slots'),
    hosts: path.join(s, 'hosts'),
    sets: path.join(s, 'sets'),
    acng: path.join(s, 'apt-cacher-ng'),
    logs: path.join(s, 'logs'),
  };
};

export const setFiles = (set: string) => {
  const d = path.join(statePaths().sets, set);
  return {
    dir: d,
    sshConfig: path.join(d, 'ssh_config'),
    knownHosts: path.join(d, 'known_hosts'),
    hostsJson: path.join(d, 'hosts.json'),
  };
};

export const hostDirs = (name: string) => {
  const d = path.join(statePaths().hosts, name);
  return { dir: d, root: path.join(d, 'root'), upper: path.join(d, 'upper'), work: path.join(d, 'work'), log: path.join(d, 'nspawn.log') };
};

/** Kernel object names are per slot, not per host name: interface names must stay ≤ 15 chars. */
export const slotNames = (slot: number) => ({
  netns: `rbth-${slot}`,
  veth: `rbthv${slot}`,
  address: `${NET_PREFIX}.${10 + slot}`,
});

/** Logs live outside the host dir so they survive down() for a post-mortem. */
export const logFile = (name: string) => path.join(statePaths().logs, `${name}.log`);
