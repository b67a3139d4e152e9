/**
 * `app.env`: the app's `shared/.env` (@runbook/system's `file` with a Secret content: written
 * atomically, 0600, masked), whose plan names the keys that change instead of "content hidden", and
 * whose content change reaches the running app: when a release is live (`current` exists) the write
 * leaves a marker that the `restart app units` handler (`app.restart`) acts on, so only a change of
 * content (not a mode or owner repair) restarts the app, and a restart that failed is retried by the
 * next configure's handler.
 */
import { changes, defineTask, isNoop, quote, reveal, type Command, type Plan, type Secret, type TaskType } from '@runbook/core';
import { fileFact, fileType, type FileOptions, type FileState } from '@runbook/system';
import { createHash } from 'node:crypto';
import { envKeyChanges, envKeyDiff, envKeySummary, readEnvText } from './env-diff.js';

export interface EnvFileTaskOptions {
  /** @example '/srv/shop/shared/.env' */
  path: string;
  content: Secret;
  owner: string;
  group: string;
  /** the live release's link: a write leaves the restart marker only when it exists @example '/srv/shop/current' */
  current: string;
  /** the marker the restart handler reads @example '/srv/shop/.env-restart-pending' */
  marker: string;
}

/** The .env's old content travels (for its keys) only when it differs, and only up to this size. */
const LIMIT = 64 * 1024;

const fileOptions = (o: EnvFileTaskOptions): FileOptions => ({ path: o.path, content: o.content, mode: '0600', owner: o.owner, group: o.group });

/** What the file task's plan carries to its apply (system's ContentState). */
type WriteState = { write: boolean };

/** Pure: the file plan with its content line and diff told by key. */
export function planEnvFile(file: FileState, o: EnvFileTaskOptions): Plan<WriteState> {
  const plan = fileType.check({ file }, fileOptions(o), {} as never) as Plan<WriteState>;
  if (isNoop(plan) || !plan.state?.write) return plan;
  const after = readEnvText(reveal(o.content)) ?? {};
  const before = file.kind === 'absent' ? {} : file.content ? readEnvText(file.content.toString('utf8')) : undefined;
  if (!before) return plan; // too big or not a .env: "content hidden" is all that can be said
  const keys = envKeyChanges(before, after);
  const [, ...attrs] = plan.changes;
  const what = file.kind === 'absent' ? `create ${o.path} (0600)` : `update ${o.path}`;
  return changes([`${what}: ${envKeySummary(keys)}`, ...attrs], { diff: envKeyDiff(o.path, keys), state: plan.state });
}

export const envFileType: TaskType<EnvFileTaskOptions, { file: FileState }, WriteState> = {
  name: 'app.env',
  describe: (o) => o.path,
  validate: (o) => fileType.validate!(fileOptions(o)),
  facts: (o) => ({ file: fileFact(o.path, LIMIT, createHash('sha256').update(reveal(o.content)).digest('hex')) }),
  touches: (o) => [`path:${o.path}`, `path:${o.marker}`],
  check: ({ file }, o) => planEnvFile(file, o),
  apply(plan, o, ctx) {
    const cmds: Command[] = fileType.apply(plan as never, fileOptions(o), ctx);
    if (plan.state?.write) {
      cmds.push({ script: `if [ -L ${quote(o.current)} ]; then : > ${quote(o.marker)}; fi`, display: `mark ${o.path} changed for the app's restart` });
    }
    return cmds;
  },
};

/**
 * The app's .env, its plan told by key (values hidden); a content change marks the app for a restart.
 * @example envFile({ path: '/srv/shop/shared/.env', content: renderEnvFile(values), owner: 'shop', group: 'shop', current: '/srv/shop/current', marker: '/srv/shop/.env-restart-pending', notify: 'restart app units' })
 */
export const envFile = defineTask(envFileType);
