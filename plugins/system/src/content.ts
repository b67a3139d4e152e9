/**
 * The logic of "this path has this content, mode and owner", shared by `file`, `template` and
 * `systemdUnit`: a pure plan from the path's state, and the commands for that plan.
 */
import { createHash } from 'node:crypto';
import { changes, errors, noop, quote, type Command, type Plan } from '@runbook/core';
import { atomicWrite } from './atomic-write.js';
import { unifiedDiff } from './diff.js';
import { DIFF_LIMIT, describeState, type FileState } from './file-fact.js';
import { describeOwnership, ownershipChanges, ownershipDelta, ownershipScript, type Ownership } from './ownership.js';

export interface ContentSpec extends Ownership {
  path: string;
  content: Buffer;
  /** no diff, content hidden in output */
  sensitive: boolean;
  backup?: boolean;
}

export interface ContentState {
  /** the content must be (re)written; otherwise only `fix` is applied in place */
  write: boolean;
  /** attributes to set in place when the content stays */
  fix?: Ownership;
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

const isText = (b: Buffer): boolean => !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);

const lineCount = (b: Buffer): number => (b.length === 0 ? 0 : b.toString('utf8').split('\n').length - (b.toString('utf8').endsWith('\n') ? 1 : 0));

function contentDiff(spec: ContentSpec, old: FileState): string | undefined {
  if (spec.sensitive) return `${spec.path}: content hidden (sensitive)\n`;
  if (!isText(spec.content) || spec.content.length > DIFF_LIMIT) return undefined;
  if (old.kind !== 'file') return unifiedDiff(spec.path, undefined, spec.content.toString('utf8'));
  if (!old.content || !isText(old.content)) return undefined;
  return unifiedDiff(spec.path, old.content.toString('utf8'), spec.content.toString('utf8'));
}

/** Pure: what must change for `path` to hold the spec's content and attributes. */
export function planContent(state: FileState, spec: ContentSpec): Plan<ContentState> {
  const want = sha256(spec.content);
  const size = `${spec.content.length} bytes`;
  if (state.kind === 'directory' || state.kind === 'other') {
    throw errors.options(`path: ${spec.path} is a ${state.kind === 'other' ? 'special file' : 'directory'}; expected a regular file or nothing`, { key: 'path' });
  }
  if (state.kind === 'absent' || state.kind === 'symlink') {
    const attrs = describeOwnership(spec);
    const what = state.kind === 'absent' ? `create ${spec.path}` : `replace symlink ${spec.path} → ${state.target} with a file`;
    return changes([`${what} (${size}${attrs ? `, ${attrs}` : ''})`], {
      diff: contentDiff(spec, state),
      state: { write: true },
    });
  }
  const list = ownershipChanges(state, spec);
  const fix = ownershipDelta(state, spec);
  if (state.sha256 === want) {
    if (!fix) return noop(`${spec.path} up to date (${size}, ${describeState(state)})`);
    return changes(list, { state: { write: false, fix } });
  }
  const detail = spec.sensitive ? 'content hidden' : isText(spec.content) && state.content && isText(state.content)
    ? `${lineCount(state.content)} → ${lineCount(spec.content)} lines`
    : `sha256 ${state.sha256?.slice(0, 12)}… → ${want.slice(0, 12)}…`;
  return changes([`update content of ${spec.path} (${detail})`, ...list], {
    diff: contentDiff(spec, state),
    state: { write: true, fix },
  });
}

/** The commands for a plan made by {@link planContent}. */
export function applyContent(state: ContentState, spec: ContentSpec): Command[] {
  if (!state.write) {
    const script = ownershipScript(quote(spec.path), state.fix ?? {}).join('\n');
    return [{ script, display: `set ${describeOwnership(state.fix ?? {})} of ${spec.path}` }];
  }
  const { path, content, mode, owner, group, backup } = spec;
  return [atomicWrite({ path, content, mode, owner, group, backup }, `write ${spec.path}`)];
}
