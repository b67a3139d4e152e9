export { server, RELOAD_SSH, AUTO_UPGRADES, AUTO_UPGRADES_FILE } from './server.js';
export { resolveServerOptions, type ServerOptions, type AllowRule } from './options.js';
export { firewall, ruleText, wantedRules, type FirewallOptions } from './firewall-task.js';
export { sshd, renderSshd, SSHD_DROP_IN, type SshdOptions } from './sshd-task.js';
export { swap, type SwapOptions } from './swap-task.js';
export { timezone, type TimezoneOptions } from './timezone-task.js';
export { hostname, type HostnameOptions } from './hostname-task.js';
