// Public API of @runbook/supervisor: the plugin factory, its options, its tasks and rendering (for playbooks and tests).
export { supervisor, UPDATE_HANDLER, UPDATE_SCRIPT } from './supervisor.js';
export { CONF_DIR, resolveSupervisorOptions, type ProgramOptions, type ResolvedProgram, type ResolvedSupervisorOptions, type SupervisorOptions } from './options.js';
export { prune, type PruneOptions } from './prune-task.js';
export { MARK, envValue, renderProgram } from './render.js';
