/**
 * `run deploy --env E`: ship a new release. Stages across plugins: lock → prepare → build → migrate →
 * switch → reload → verify → finish; on failure the plugins' rescue tasks put the previous release back;
 * the lock is released in every case.
 */
import { definePlaybook, deployPhases } from '@runbook/core';

export default definePlaybook({ name: 'deploy', description: 'ship a new release', phases: (ctx) => deployPhases(ctx) });
