/**
 * A cgroup subtree of its own for each host. nspawn with --keep-unit makes the cgroup it was started in the
 * container's root: hosts booted by one process all got the same root, so their systemds made and removed
 * the same `/payload/system.slice/<unit>` directories. A unit starting on one host while the same unit
 * stopped on another then failed with 219/CGROUP ("Failed to attach to cgroup … No such file or
 * directory"): gunicorn restarts failed at random when two hosts deployed at once.
 */
import fs from 'node:fs';
import path from 'node:path';

const TOP = 'runbook-testhosts';

/** The writable hierarchies systemd uses (cgroup2, v1's name=systemd): mount point and this process's path there. */
export function systemdHierarchies(mountinfo: string, selfCgroup: string): string[] {
  const own = new Map<string, string>();
  for (const line of selfCgroup.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) own.set(m[1], m[2]);
  }
  const dirs: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const [root, mountPoint] = pre.split(' ').slice(3, 5);
    const [type, , options = ''] = post.split(' ');
    const key = type === 'cgroup2' ? '' : type === 'cgroup' && options.split(',').includes('name=systemd') ? 'name=systemd' : undefined;
    const mine = key === undefined ? undefined : own.get(key);
    if (mine === undefined || !mine.startsWith(root)) continue;
    dirs.push(path.join(mountPoint, path.relative(root, mine)));
  }
  return dirs;
}

/** The host's own cgroup directories (made now), to move its nspawn process into before it starts. */
export function hostCgroups(name: string): string[] {
  const dirs = systemdHierarchies(fs.readFileSync('/proc/self/mountinfo', 'utf8'), fs.readFileSync('/proc/self/cgroup', 'utf8'))
    .map((d) => path.join(d, TOP, name));
  for (const d of dirs) {
    try {
      fs.mkdirSync(d, { recursive: true });
    } catch (e) {
      throw new Error(`cannot make the test host's cgroup ${d}: ${(e as Error).message}`);
    }
  }
  return dirs;
}

/** Removes a stopped host's cgroup directories, deepest first (a cgroup directory goes with rmdir only). */
export function removeHostCgroups(dirs: string[]): void {
  const rmdirTree = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) rmdirTree(path.join(d, e.name));
    try {
      fs.rmdirSync(d);
    } catch {
      // a process still in it: it goes with the next boot of a same-named host, or stays empty
    }
  };
  for (const d of dirs) if (path.basename(path.dirname(d)) === TOP) rmdirTree(d);
}
