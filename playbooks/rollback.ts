/** `run rollback --env E [--to ID]`: switch back to the last good release (or the one given). */
import { definePlaybook, rollbackPhases } from '@runbook/core';

export default definePlaybook({ name: 'rollback', description: 'go back to the last good release', phases: rollbackPhases });
