// Public API of @runbook/testhosts.
export { buildRootfs, type BuildResult, type BuildOptions } from './rootfs.js';
export { up, type UpOptions, type HostSet, type TestHost } from './up.js';
export { down, type DownOptions } from './down.js';
export { status, type Status, type SetStatus, type HostStatus } from './status.js';
export { inventoryYaml, writeInventory, type InventoryFileOptions } from './setfiles.js';
export { readMirror } from './mirror.js';
export { inHost, initPid } from './in-host.js';
export { cacheDir, stateDir, setFiles, BRIDGE, BRIDGE_ADDRESS, RELEASES, DEFAULT_RELEASE, checkRelease, type Release } from './paths.js';
export { checkoutRoot, checkoutSet } from './checkout-set.js';
