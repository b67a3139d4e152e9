export { startRegistry, type Registry, type RegistryOptions } from './start-registry.js';
export { publishAll, cleanNpmEnv, type PublishOptions } from './publish-all.js';
export { publishablePackages, workspacePackages, workspaceRoot, type WorkspacePackage } from './workspace-packages.js';
