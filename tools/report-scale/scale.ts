/**
 * The README's example playbook, plus a check that fails on the hosts whose inventory vars say
 * `fail: true` (tools/report-scale.ts marks a few): a real run where most hosts do the same and a few fail.
 */
import { definePlaybook, type Phase } from '@runbook/core';
import { command } from '@runbook/system';
import example from '../../playbooks/example.js';

const [phase] = example.phases as Phase[];

export default definePlaybook({
  name: 'report-scale',
  description: 'the example playbook; hosts with vars.fail fail a disk check',
  phases: [
    {
      ...phase,
      tasks: (host) => [
        ...(typeof phase.tasks === 'function' ? phase.tasks(host) : (phase.tasks ?? [])),
        ...(host.vars.fail
          ? [command({ title: 'check free space on /srv', run: 'echo "/srv: 97% used, 2% free needed" >&2; exit 3', always: true })]
          : []),
      ],
    },
  ],
});
