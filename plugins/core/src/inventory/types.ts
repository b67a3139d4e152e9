import type { Vars } from './merge-vars.js';
import type { Sourced, Where } from './where.js';

export type HostKeyChecking = 'yes' | 'no' | 'accept-new';

/** An identity file as the inventory or the ssh config names it, before checkKeys looks for it. */
export interface IdentitySource {
  /** absolute */
  path: string;
  /** where it is written */
  at: Where;
  /** named by the inventory: must exist; an ssh config's may be missing while another one exists (ssh warns) */
  required: boolean;
}

/** One hop of a ProxyJump chain, resolved like a host (its own HostName, User, Port, IdentityFile). */
export interface JumpHop {
  /** the hop as written in ProxyJump (host part), e.g. `bastion` */
  alias: string;
  hostname: string;
  port: number;
  user: string;
  /** absolute paths; as configured until checkKeys keeps those that exist */
  identityFiles: string[];
  /** set by loadInventory, removed by checkKeys */
  identitySources?: IdentitySource[];
  /** absolute paths */
  knownHostsFiles: string[];
  strictHostKeyChecking?: HostKeyChecking;
  hostKeyAlias?: string;
}

/** A host as the runner connects to it: inventory and ssh config merged, every path absolute. */
export interface HostSpec {
  alias: string;
  /** HostName, else the alias */
  hostname: string;
  /** @default 22 */
  port: number;
  /** User, else the local user name (as ssh does) */
  user: string;
  /** absolute paths; empty means ssh's default keys. As configured until checkKeys keeps those that exist */
  identityFiles: string[];
  /** set by loadInventory, removed by checkKeys */
  identitySources?: IdentitySource[];
  identitiesOnly: boolean;
  forwardAgent: boolean;
  /** resolved chain, first hop first; [] when none */
  proxyJump: JumpHop[];
  /** absolute; UserKnownHostsFile (else ~/.ssh/known_hosts, as in ssh), then the inventory's knownHosts */
  knownHostsFiles: string[];
  /** ask is mapped to yes, off to no */
  strictHostKeyChecking?: HostKeyChecking;
  hostKeyAlias?: string;
  /** seconds */
  connectTimeout?: number;
  /** seconds */
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  /** sudo -n for tasks; the inventory's `become`, else true when user is not root */
  become?: boolean;
  /** always starts with 'all'; then in var precedence order (later wins) */
  groups: string[];
  /** merged: defaults < config < env < groups < host < extra */
  vars: Vars;
  /** where the inventory sets each var for this host, lowest precedence first (HostInfo.varsFrom) */
  varsFrom: Record<string, Sourced<unknown>[]>;
  /** the inventory line of the host, or the ssh config Host line it was imported from */
  source: { file: string; line?: number };
}

export interface InventoryGroup {
  vars: Vars;
  /** aliases, in inventory order */
  hosts: string[];
}

export interface Inventory {
  env: string;
  /** absolute path of `<dir>/<env>.yml` */
  file: string;
  /** in inventory order: the ssh config aliases sshConfigHosts imports (file order), then hosts only the inventory lists */
  hosts: HostSpec[];
  /** every group used, plus `all` */
  groups: Record<string, InventoryGroup>;
  /** env-level vars merged: defaults < config < env < extra */
  vars: Vars;
}

export interface LoadInventoryOptions {
  /** the inventories directory */
  dir: string;
  /** `--env`: reads `<dir>/<env>.yml` */
  env: string;
  /** plugin / playbook defaults: the lowest layer of vars */
  defaults?: Vars;
  /** vars from runbook.config */
  configVars?: Vars;
  /** `-e` vars: the highest layer (see parseExtraVars) */
  extraVars?: Vars;
  /** for `~` and `%d`; @default os.homedir() */
  home?: string;
  /** the default remote user and `%u`; @default os.userInfo().username */
  localUser?: string;
}
