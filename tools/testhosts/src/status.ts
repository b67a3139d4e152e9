// What is up right now, from the records and the process table.
import { readSlots } from './slots.js';
import { isAlive } from './proc.js';
import { proxyPid } from './proxy.js';
import { linkExists } from './net.js';
import { BRIDGE } from './paths.js';

export interface HostStatus { name: string; address: string; pid?: number; running: boolean }
export interface SetStatus { set: string; hosts: HostStatus[] }
export interface Status { sets: SetStatus[]; proxy: { pid?: number; running: boolean }; bridge: boolean }

export async function status(): Promise<Status> {
  const sets = new Map<string, HostStatus[]>();
  for (const { record: r } of readSlots()) {
    if (!r) continue;
    const list = sets.get(r.set) ?? [];
    list.push({ name: r.name, address: r.address, pid: r.nspawn?.pid, running: isAlive(r.nspawn) });
    sets.set(r.set, list);
  }
  const p = proxyPid();
  return {
    sets: [...sets].map(([set, hosts]) => ({ set, hosts: hosts.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })) })),
    proxy: { pid: p?.pid, running: isAlive(p) },
    bridge: await linkExists(BRIDGE),
  };
}
