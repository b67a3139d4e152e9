// Per-set client files: OpenSSH config, strict known_hosts, and the inventory built from them.
import fs from 'node:fs';
import path from 'node:path';
import { cachePaths, setFiles } from './paths.js';
import { renderInventory, renderKnownHosts, renderSshConfig, type HostEntry } from './render.js';

export function writeSetFiles(set: string, hosts: HostEntry[]): void {
  const f = setFiles(set);
  fs.mkdirSync(f.dir, { recursive: true });
  fs.writeFileSync(f.knownHosts, renderKnownHosts(hosts));
  fs.writeFileSync(f.sshConfig, renderSshConfig(hosts, { keyFile: cachePaths().key, knownHostsFile: f.knownHosts }));
  fs.writeFileSync(f.hostsJson, JSON.stringify(hosts, null, 2) + '\n');
}

export function readSetHosts(set: string): HostEntry[] {
  const f = setFiles(set).hostsJson;
  if (!fs.existsSync(f)) throw new Error(`set ${set} is not up (no ${f})`);
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

export interface InventoryFileOptions {
  user?: 'deploy' | 'root' | string;
  groups?: string[];
  /** ssh config path as written in the inventory, relative to it. */
  sshConfig?: string;
}

/** Runbook inventory (YAML text) for a set that is up. */
export function inventoryYaml(set: string, o: InventoryFileOptions = {}): string {
  return renderInventory(readSetHosts(set).map((h) => h.name), o);
}

/** Writes the inventory and, next to it, `<base>.ssh_config` (with the chosen login user) it refers to. */
export function writeInventory(set: string, file: string, o: InventoryFileOptions = {}): { inventory: string; sshConfig: string } {
  const hosts = readSetHosts(set);
  const base = path.basename(file).replace(/\.ya?ml$/, '');
  const sshConfig = path.join(path.dirname(file), `${base}.ssh_config`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const f = setFiles(set);
  fs.writeFileSync(sshConfig, renderSshConfig(hosts, { keyFile: cachePaths().key, knownHostsFile: f.knownHosts, user: o.user }));
  fs.writeFileSync(file, renderInventory(hosts.map((h) => h.name), { ...o, sshConfig: `./${base}.ssh_config` }));
  return { inventory: file, sshConfig };
}
