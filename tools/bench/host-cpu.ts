/**
 * CPU seconds spent inside a set's test hosts: every process in the hosts' network namespaces (sshd and
 * the sessions it reaped, sudo, the shell, journald…), utime + stime + the reaped children's. Read before
 * and after a run, the difference is the hosts' share of the run. The hosts share the control machine's
 * CPUs, so a run's wall time on a busy machine is bounded by controller CPU + hosts CPU over the cores.
 */
import fs from 'node:fs';
import type { HostSet } from '@runbook/testhosts';

const TICKS = 100; // USER_HZ: the unit of /proc/<pid>/stat times on Linux

/** The inode of each host's netns (/run/netns/rbth-<slot>, slot = last address byte − 10). */
function netnsOf(hs: HostSet): Set<string> {
  const out = new Set<string>();
  for (const h of hs.hosts) {
    const slot = Number(h.address.split('.').pop()) - 10;
    try { out.add(`net:[${fs.statSync(`/run/netns/rbth-${slot}`).ino}]`); } catch { /* host gone */ }
  }
  return out;
}

/** CPU seconds so far of every process now running in the set's hosts (incl. their reaped children). */
export function hostsCpuSeconds(hs: HostSet): number {
  const mine = netnsOf(hs);
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!mine.has(fs.readlinkSync(`/proc/${pid}/ns/net`))) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // fields after "(comm) ": state is [0]; utime, stime, cutime, cstime are [11..14]
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch { /* exited meanwhile */ }
  }
  return ticks / TICKS;
}
