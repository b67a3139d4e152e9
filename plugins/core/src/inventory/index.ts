export { loadInventory, listEnvs } from './load-inventory.js';
export { selectHosts } from './limit.js';
export { checkKeys, type KeyCheck } from './check-keys.js';
export { parseExtraVars } from './parse-extra-vars.js';
export { mergeVars, type Vars } from './merge-vars.js';
export { loadSshConfig, parseSshConfig, type SshConfig } from './ssh-config.js';
export { resolveSshHost, sshConfigAliases, type SshHostOptions } from './resolve-ssh-host.js';
export type { HostSpec, JumpHop, IdentitySource, Inventory, InventoryGroup, LoadInventoryOptions, HostKeyChecking } from './types.js';
