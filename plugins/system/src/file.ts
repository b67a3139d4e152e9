/** `file.content`: a file with exactly this content, mode and owner, written atomically. */
import { defineTask, isSecret, reveal, type Secret, type TaskType } from '@runbook/core';
import { applyContent, planContent, sha256, type ContentSpec, type ContentState } from './content.js';
import { DIFF_LIMIT, fileFact, type FileState } from './file-fact.js';
import { absolutePath, fail, normalizeMode, optionalAccount, optionalBoolean, requireObject } from './options.js';

/** Attributes every file-writing task accepts. */
export interface FileAttributes {
  /**
   * Absolute path of the file.
   * @example '/etc/myapp/app.conf'
   */
  path: string;
  /**
   * Octal mode. Unset: an existing file keeps its mode, a new one gets 0644.
   * @default undefined
   * @example '0640'
   */
  mode?: string | number;
  /**
   * Owner (name or uid). Unset: an existing file keeps its owner, a new one belongs to the task's user.
   * @default undefined
   * @example 'www-data'
   */
  owner?: string;
  /**
   * Group (name or gid). Unset: kept, as for `owner`.
   * @default undefined
   * @example 'www-data'
   */
  group?: string;
  /**
   * Never show the content: no diff, "content hidden" in the plan. Implied by a `Secret` content.
   * @default false
   * @example true
   */
  sensitive?: boolean;
  /**
   * Keep the replaced file as `<path>.<YYYYmmddHHMMSS>~`.
   * @default false
   * @example true
   */
  backup?: boolean;
}

export interface FileOptions extends FileAttributes {
  /**
   * The whole content. A `Secret` is written as its real value and makes the file sensitive.
   * @example 'DEBUG=0\n'
   * @example secret(envText)
   */
  content: string | Buffer | Secret;
}

export function validateAttributes(o: FileAttributes): void {
  absolutePath('path', o.path);
  if (o.path.endsWith('/')) fail('path', 'a file path (not ending in /)', o.path);
  normalizeMode('mode', o.mode);
  optionalAccount('owner', o.owner);
  optionalAccount('group', o.group);
  optionalBoolean('sensitive', o.sensitive);
  optionalBoolean('backup', o.backup);
}

/** The spec the shared content logic works on. */
export function contentSpec(o: FileAttributes, content: Buffer, sensitive = false): ContentSpec {
  return {
    path: o.path,
    content,
    sensitive: sensitive || o.sensitive === true,
    mode: normalizeMode('mode', o.mode),
    owner: o.owner,
    group: o.group,
    backup: o.backup,
  };
}

const specOf = (o: FileOptions): ContentSpec =>
  contentSpec(o, Buffer.isBuffer(o.content) ? o.content : Buffer.from(reveal(o.content)), isSecret(o.content));

export const fileType: TaskType<FileOptions, { file: FileState }, ContentState> = {
  name: 'file.content',
  describe: (o) => o.path,
  validate(o) {
    requireObject('file', o);
    validateAttributes(o);
    if (typeof o.content !== 'string' && !Buffer.isBuffer(o.content) && !isSecret(o.content)) {
      fail('content', 'a string, Buffer or Secret', o.content);
    }
  },
  facts: (o) => {
    // the old content is only needed for a diff: not when the file already matches, never when sensitive
    const spec = specOf(o);
    return { file: fileFact(o.path, spec.sensitive ? 0 : DIFF_LIMIT, sha256(spec.content)) };
  },
  check: (facts, o) => planContent(facts.file, specOf(o)),
  apply: (plan, o) => applyContent(plan.state!, specOf(o)),
  touches: (o) => [`path:${o.path}`],
};

/**
 * A file with exactly this content (and mode/owner when given), replaced atomically.
 * @example file({ path: '/etc/myapp/app.conf', content: 'DEBUG=0\n', mode: '0640', owner: 'root', group: 'myapp' })
 */
export const file = defineTask(fileType);
