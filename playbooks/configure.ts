/** `run configure --env E`: provision every host; each enabled plugin configures its part, in config order. */
import { configurePhases, definePlaybook } from '@runbook/core';

export default definePlaybook({ name: 'configure', description: 'provision: packages, users, services, web server', phases: configurePhases });
