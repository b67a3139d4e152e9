/**
 * Mode and ownership: what differs between a path's state and the wanted values, and the commands that
 * set them. Shared by file, template, directory, download and systemd units.
 */
import { quote } from '@runbook/core';
import { accountMatches, type FileState } from './file-fact.js';

export interface Ownership {
  mode?: string;
  owner?: string;
  group?: string;
}

/** Human changes for the attributes that differ, e.g. `mode 0600 → 0640`. */
export function ownershipChanges(state: FileState, want: Ownership): string[] {
  const out: string[] = [];
  if (want.mode !== undefined && state.mode !== want.mode) out.push(`mode ${state.mode} → ${want.mode}`);
  if (!accountMatches(want.owner, state.uid, state.owner)) out.push(`owner ${state.owner} → ${want.owner}`);
  if (!accountMatches(want.group, state.gid, state.group)) out.push(`group ${state.group} → ${want.group}`);
  return out;
}

/** Only the attributes that differ (undefined when nothing does). */
export function ownershipDelta(state: FileState, want: Ownership): Ownership | undefined {
  const d: Ownership = {};
  if (want.mode !== undefined && state.mode !== want.mode) d.mode = want.mode;
  if (!accountMatches(want.owner, state.uid, state.owner)) d.owner = want.owner;
  if (!accountMatches(want.group, state.gid, state.group)) d.group = want.group;
  return Object.keys(d).length ? d : undefined;
}

/** chown/chmod lines for a path given as shell (already quoted or a "$var"). */
export function ownershipScript(target: string, want: Ownership, opts: { noDeref?: boolean } = {}): string[] {
  const h = opts.noDeref ? '-h ' : '';
  const lines: string[] = [];
  if (want.owner !== undefined || want.group !== undefined) {
    const spec = `${want.owner ?? ''}${want.group !== undefined ? `:${want.group}` : ''}`;
    lines.push(`chown ${h}${quote(spec)} -- ${target}`);
  }
  if (want.mode !== undefined && !opts.noDeref) lines.push(`chmod ${want.mode} -- ${target}`);
  return lines;
}

export function describeOwnership(o: Ownership): string {
  return [o.mode && `mode ${o.mode}`, o.owner && `owner ${o.owner}`, o.group && `group ${o.group}`].filter(Boolean).join(', ');
}
