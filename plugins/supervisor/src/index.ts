// Public API of @runbook/supervisor: the plugin factory, its options, and its tasks (for playbooks and tests).
export { supervisor } from './supervisor.js';
export { resolveSupervisorOptions, type SupervisorOptions, type ResolvedSupervisorOptions } from './options.js';
export { greeting, type GreetingOptions } from './greeting-task.js';
