// Public API of @runbook/server: the plugin factory, its options, and its tasks (for playbooks and tests).
export { server } from './server.js';
export { resolveServerOptions, type ServerOptions, type ResolvedServerOptions } from './options.js';
export { greeting, type GreetingOptions } from './greeting-task.js';
