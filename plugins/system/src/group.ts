/** `system.group`: a Unix group present (with a gid) or absent. */
import { changes, defineTask, errors, noop, quote, type Command, type FactRequest, type Plan, type TaskType } from '@runbook/core';
import { accountName, oneOf, optionalBoolean, optionalId, requireObject } from './options.js';

export interface GroupOptions {
  /**
   * Group name.
   * @example 'deploy'
   */
  name: string;
  /**
   * Create it as a system group (gid from the system range). Has no effect on an existing group.
   * @default false
   * @example true
   */
  system?: boolean;
  /**
   * Numeric gid; an existing group with another gid is changed (`groupmod --gid`).
   * @default undefined (chosen by groupadd)
   * @example 1500
   */
  gid?: number;
  /**
   * @default 'present'
   * @example 'absent'
   */
  state?: 'present' | 'absent';
}

export type GroupEntry = { gid: number; members: string[] } | undefined;

/** `getent group NAME`: exit 2 means no such group. */
export function groupFact(name: string): FactRequest<GroupEntry> {
  return {
    command: `getent group -- ${quote(name)}`,
    parse(out) {
      if (out.code === 2) return undefined;
      if (out.code !== 0) throw errors.fact(`getent group failed (exit ${out.code}): ${out.stderr.trim()}`);
      const [, , gid, members] = out.stdout.trim().split(':');
      return { gid: Number(gid), members: members ? members.split(',') : [] };
    },
  };
}

interface GroupState {
  script: string;
  display: string;
}

export function checkGroup(g: GroupEntry, o: GroupOptions): Plan<GroupState> {
  const n = quote(o.name);
  if (o.state === 'absent') {
    if (!g) return noop(`group ${o.name} absent`);
    return changes([`remove group ${o.name}`], { state: { script: `! getent group -- ${n} >/dev/null || groupdel -- ${n}`, display: `groupdel ${o.name}` } });
  }
  if (!g) {
    const flags = [o.system ? '--system' : '', o.gid !== undefined ? `--gid ${o.gid}` : ''].filter(Boolean).join(' ');
    const what = [o.system && 'system', o.gid !== undefined && `gid ${o.gid}`].filter(Boolean).join(', ');
    return changes([`create group ${o.name}${what ? ` (${what})` : ''}`], {
      state: { script: `getent group -- ${n} >/dev/null || groupadd ${flags ? `${flags} ` : ''}-- ${n}`, display: `groupadd ${o.name}` },
    });
  }
  if (o.gid !== undefined && g.gid !== o.gid) {
    return changes([`gid ${g.gid} → ${o.gid}`], { state: { script: `groupmod --gid ${o.gid} -- ${n}`, display: `groupmod --gid ${o.gid} ${o.name}` } });
  }
  return noop(`group ${o.name} present (gid ${g.gid})`);
}

export const groupType: TaskType<GroupOptions, { group: GroupEntry }, GroupState> = {
  name: 'system.group',
  describe: (o) => o.name,
  validate(o) {
    requireObject('group', o);
    accountName('name', o.name);
    optionalBoolean('system', o.system);
    optionalId('gid', o.gid);
    oneOf('state', o.state, ['present', 'absent']);
  },
  facts: (o) => ({ group: groupFact(o.name) }),
  check: (f, o) => checkGroup(f.group, o),
  apply: (plan): Command[] => [plan.state!],
  touches: (o) => [`group:${o.name}`],
};

/**
 * A Unix group.
 * @example group({ name: 'deploy', system: true })
 */
export const group = defineTask(groupType);
