import test from 'ava';
import { systemdHierarchies } from './cgroup.js';

const hybrid = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

test('hybrid: the name=systemd and cgroup2 hierarchies, at this process\'s path; no other v1 controller', (t) => {
  const self = '9:name=systemd:/\n1:cpu:/\n0::/\n';
  t.deepEqual(systemdHierarchies(hybrid, self), ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified']);
});

test('unified: the one cgroup2 mount, under this process\'s own cgroup', (t) => {
  const mounts = '30 23 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate';
  t.deepEqual(systemdHierarchies(mounts, '0::/user.slice/user-0.slice/session-3.scope\n'),
    ['/sys/fs/cgroup/user.slice/user-0.slice/session-3.scope']);
});

test('a mount of a subtree: the path relative to the mount\'s root', (t) => {
  const mounts = '30 23 0:27 /payload /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
  t.deepEqual(systemdHierarchies(mounts, '0::/payload/system.slice/x.service\n'), ['/sys/fs/cgroup/system.slice/x.service']);
  t.deepEqual(systemdHierarchies(mounts, '0::/elsewhere\n'), [], 'a path outside the mount is not reachable through it');
});
