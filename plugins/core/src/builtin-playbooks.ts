/** The playbooks every project has: made from the config's plugins. A project's playbooks/<name>.ts overrides one. */
import { definePlaybook, type Playbook } from './playbook.js';
import { configurePhases, deployPhases, rollbackPhases, unlockPhases } from './plugin-playbooks.js';

export const builtinPlaybooks: Record<string, Playbook> = {
  configure: definePlaybook({ name: 'configure', description: 'provision: every enabled plugin configures its part', phases: configurePhases }),
  deploy: definePlaybook({
    name: 'deploy',
    description: 'ship a new release: lock, prepare, build, migrate, switch, reload, verify, finish',
    phases: (ctx) => deployPhases(ctx),
  }),
  rollback: definePlaybook({ name: 'rollback', description: 'go back to the last good release (or --to ID)', phases: rollbackPhases }),
  unlock: definePlaybook({ name: 'unlock', description: 'release the deploy locks an interrupted or lost run left, saying whose they were', phases: unlockPhases }),
};
