/**
 * `file.line`: one line in a file present (replacing the last line that matches `regexp`, or inserted)
 * or absent, like Ansible's lineinfile. The new content is computed in `check` from the file's content
 * fact and written atomically, guarded by the hash read as fact, so an edit made in between is never lost.
 */
import { changes, defineTask, errors, noop, type Plan, type TaskType } from '@runbook/core';
import { atomicWrite } from './atomic-write.js';
import { unifiedDiff } from './diff.js';
import { fileFact, type FileState } from './file-fact.js';
import { absolutePath, fail, oneOf, optionalBoolean, optionalString, requireObject } from './options.js';

export interface LineOptions {
  /**
   * Absolute path of the file.
   * @example '/etc/ssh/sshd_config'
   */
  path: string;
  /**
   * The whole line, without its newline.
   * @example 'PasswordAuthentication no'
   */
  line: string;
  /**
   * JavaScript regular expression: with `present`, the last matching line is replaced by `line`; with
   * `absent`, every matching line is removed. Unset: lines equal to `line`.
   * @default undefined
   * @example '^#?PasswordAuthentication\\s'
   */
  regexp?: string;
  /**
   * @default 'present'
   * @example 'absent'
   */
  state?: 'present' | 'absent';
  /**
   * Where a new line goes: `'EOF'`, or after the last line matching this regular expression (EOF when
   * none matches).
   * @default 'EOF'
   * @example '^\\[mysqld\\]'
   */
  insertAfter?: string;
  /**
   * Create the file (mode 0644) when it does not exist; otherwise a missing file is an error.
   * @default false
   * @example true
   */
  create?: boolean;
}

/** Files edited by `line` are read whole; past this size the task refuses. */
export const LINE_FILE_LIMIT = 4 * 1024 * 1024;

interface LineState {
  content: Buffer;
  /** sha256 the file had when its facts were read, or 'absent' */
  expect: string;
}

const lastIndex = (lines: string[], re: RegExp): number => {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i])) return i;
  return -1;
};

/** Pure: the file's lines after the edit (or undefined when nothing changes). */
export function editLines(lines: string[], o: LineOptions): { lines: string[]; change: string } | { noop: string } {
  const matches = (l: string): boolean => (o.regexp !== undefined ? new RegExp(o.regexp).test(l) : l === o.line);
  if (o.state === 'absent') {
    const kept = lines.filter((l) => !matches(l));
    const n = lines.length - kept.length;
    if (n === 0) return { noop: `no line ${o.regexp !== undefined ? `matches /${o.regexp}/` : 'equals the line'}` };
    return { lines: kept, change: `remove ${n} line${n > 1 ? 's' : ''}` };
  }
  const at = o.regexp !== undefined ? lastIndex(lines, new RegExp(o.regexp)) : -1;
  if (at >= 0) {
    if (lines[at] === o.line) return { noop: `line ${at + 1} present` };
    return { lines: lines.map((l, i) => (i === at ? o.line : l)), change: `replace line ${at + 1}` };
  }
  const same = lines.indexOf(o.line);
  if (same >= 0) return { noop: `line ${same + 1} present` };
  const after = o.insertAfter && o.insertAfter !== 'EOF' ? lastIndex(lines, new RegExp(o.insertAfter)) : -1;
  const pos = after >= 0 ? after + 1 : lines.length;
  return { lines: [...lines.slice(0, pos), o.line, ...lines.slice(pos)], change: `insert line ${pos + 1}` };
}

function check(f: FileState, o: LineOptions): Plan<LineState> {
  if (f.kind === 'absent') {
    if (o.state === 'absent') return noop(`${o.path} absent`);
    if (!o.create) {
      throw errors.missing('E_OPTIONS', `path: ${o.path} does not exist; set create: true to create it`, o.path,
        [`put the line in ${o.path} unless it is there`], { key: 'path' });
    }
    const text = `${o.line}\n`;
    return changes([`create ${o.path} with the line`], { diff: unifiedDiff(o.path, undefined, text), state: { content: Buffer.from(text), expect: 'absent' } });
  }
  if (f.kind !== 'file') throw errors.options(`path: ${o.path} is a ${f.kind}, not a regular file`, { key: 'path' });
  if (!f.content) throw errors.fact(`${o.path} is larger than ${LINE_FILE_LIMIT} bytes; not editing it line by line`);
  const old = f.content.toString('utf8');
  const finalNewline = old === '' || old.endsWith('\n');
  const lines = old === '' ? [] : (finalNewline ? old.slice(0, -1) : old).split('\n');
  const edit = editLines(lines, o);
  if ('noop' in edit) return noop(`${o.path}: ${edit.noop}`);
  const text = edit.lines.length ? `${edit.lines.join('\n')}${finalNewline || edit.lines.length > lines.length ? '\n' : ''}` : '';
  return changes([`${edit.change} of ${o.path}`], {
    diff: unifiedDiff(o.path, old, text),
    state: { content: Buffer.from(text), expect: f.sha256! },
  });
}

export const lineType: TaskType<LineOptions, { file: FileState }, LineState> = {
  name: 'file.line',
  describe: (o) => `${o.path}: ${o.line}`,
  validate(o) {
    requireObject('line', o);
    absolutePath('path', o.path);
    if (typeof o.line !== 'string' || /[\n\r]/.test(o.line)) fail('line', 'one line of text (no newline)', o.line);
    for (const key of ['regexp', 'insertAfter'] as const) {
      const v = optionalString(key, o[key]);
      if (v === undefined || (key === 'insertAfter' && v === 'EOF')) continue;
      try {
        new RegExp(v);
      } catch (e) {
        fail(key, `a JavaScript regular expression (${(e as Error).message})`, v);
      }
    }
    oneOf('state', o.state, ['present', 'absent']);
    optionalBoolean('create', o.create);
  },
  facts: (o) => ({ file: fileFact(o.path, LINE_FILE_LIMIT) }),
  touches: (o) => [`path:${o.path}`],
  check: (facts, o) => check(facts.file, o),
  apply: (plan, o) => [
    atomicWrite({ path: o.path, content: plan.state!.content, expectSha256: plan.state!.expect }, `edit ${o.path}`),
  ],
};

/**
 * One line present in (or absent from) a file.
 * @example line({ path: '/etc/ssh/sshd_config', regexp: '^#?PasswordAuthentication\\s', line: 'PasswordAuthentication no' })
 */
export const line = defineTask(lineType);
