/** server.swap: memory and the file's state → create / fstab / swapon, with swapon left out in a container. */
import test from 'ava';
import { fakeHost } from '@runbook/testing';
import { swap } from './swap-task.js';

const G = 1024 ** 3;
const M = 1024 ** 2;
// MemTotal kB, file size, active, fstab, container
const facts = (memKb: number, size: number | 'none', active: boolean, fstab: boolean, container = 'none') =>
  `${memKb}\n${size}\n${active ? 'on' : 'off'}\n${fstab ? 'fstab' : 'nofstab'}\n${container}\n`;
const hostWith = (answer: string) => fakeHost({ facts: (cmd) => (cmd.includes('/proc/meminfo') ? answer : undefined) });
const opts = { path: '/swapfile', size: 512 * M, belowMemory: 2 * G };

const cases: { name: string; facts: string; changes?: string[]; reason?: string; script?: RegExp[]; notIn?: RegExp[] }[] = [
  { name: 'enough memory: no swap', facts: facts(4 * 1024 * 1024, 'none', false, false), reason: 'memory 4G ≥ 2G: no swap file needed' },
  {
    name: 'small VM, nothing yet: file, fstab, swapon',
    facts: facts(1024 * 1024, 'none', false, false),
    changes: ['create /swapfile (512M)', 'add /swapfile to /etc/fstab', 'swapon /swapfile'],
    script: [/fallocate -l 536870912 -- \/swapfile 2>\/dev\/null \|\| dd if=\/dev\/zero of=\/swapfile bs=1M count=512/, /chmod 0600 -- \/swapfile\nmkswap -- \/swapfile/, /printf '%s none swap sw 0 0\\n' \/swapfile >> \/etc\/fstab/, /swapon -- \/swapfile$/],
  },
  {
    name: 'another size, on: swapoff before it is made again',
    facts: facts(1024 * 1024, 256 * M, true, true),
    changes: ['recreate (was 256M) /swapfile (512M)', 'swapon /swapfile'],
    script: [/^swapoff -- \/swapfile\nrm -f -- \/swapfile/],
    notIn: [/fstab/],
  },
  { name: 'all in place', facts: facts(1024 * 1024, 512 * M, true, true), reason: '/swapfile (512M) in /etc/fstab, on' },
  {
    name: 'in a container: file and fstab, no swapon',
    facts: facts(1024 * 1024, 'none', false, false, 'systemd-nspawn'),
    changes: ['create /swapfile (512M)', 'add /swapfile to /etc/fstab', "no swapon (not switched on: in a systemd-nspawn container swap is the host kernel's)"],
    notIn: [/swapon/],
  },
  { name: 'in a container, in place', facts: facts(1024 * 1024, 512 * M, false, true, 'lxc'), reason: "/swapfile (512M) in /etc/fstab (not switched on: in a lxc container swap is the host kernel's)" },
];
for (const c of cases) {
  test(`swap: ${c.name}`, async (t) => {
    const r = await hostWith(c.facts).run([swap(opts)], { check: false, user: 'root' });
    t.deepEqual(r.results[0].changes, c.changes);
    t.is(r.results[0].reason, c.reason);
    t.is(r.applied.length, c.changes ? 1 : 0);
    for (const re of c.script ?? []) t.regex(r.applied[0], re);
    for (const re of c.notIn ?? []) t.notRegex(r.applied[0], re);
  });
}
