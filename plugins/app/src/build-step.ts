/**
 * `app.step`: one step of a release's build (venv, pip, collectstatic, migrate): a guarded command
 * (@runbook/system's `command`, same guards, same facts) that is shown by a short name instead of its
 * script, and whose failure on a full disk says so (no-space.ts) instead of only the tool's last line.
 */
import { changes, defineTask, isNoop, quote, type TaskType } from '@runbook/core';
import { commandType, type CommandOptions } from '@runbook/system';
import { withNoSpaceReport } from './no-space.js';

export interface BuildStepOptions extends CommandOptions {
  /** what the step is called in progress, plans and errors @example '/srv/shop/releases/r1/.venv/bin/pip install -r requirements.txt' */
  show: string;
  /** the path named when the step runs out of space @example '/srv/shop/releases/r1' */
  space: string;
  /**
   * What the step's guards read and its command changes on the host, when that is known (resources.ts):
   * the engine then applies it together with the changes around it. Without keys it may change anything.
   * @example ['path:/srv/shop/releases/r1/.rb-migrated']
   */
  keys?: string[];
}

const commandOf = ({ show: _show, space: _space, keys: _keys, ...c }: BuildStepOptions): CommandOptions => c;
const script = (o: BuildStepOptions): string => (Array.isArray(o.run) ? o.run.map((w) => quote(w)).join(' ') : o.run);

export const buildStepType: TaskType<BuildStepOptions, Record<string, number>> = {
  name: 'app.step',
  describe: (o) => o.show,
  validate: (o) => commandType.validate!(commandOf(o)),
  facts: (o, ctx) => commandType.facts(commandOf(o), ctx),
  touches: (o, ctx) => o.keys ?? commandType.touches!(commandOf(o), ctx),
  changesAnything: (o) => !o.keys,
  check(facts, o, ctx) {
    const plan = commandType.check(facts, commandOf(o), ctx);
    return isNoop(plan) ? plan : changes([`run ${o.show}`]);
  },
  apply(plan, o, ctx) {
    const run = withNoSpaceReport(script(o), o.space);
    return commandType.apply(plan, { ...commandOf(o), run }, ctx).map((c) => ({ ...c, display: o.show }));
  },
};

/**
 * A build step of a release, guarded like `command`, that names a full disk when it hits one.
 * @example buildStep({ show: 'python3 -m venv .venv', space: '/srv/shop/releases/r1', run: ['python3', '-m', 'venv', '.venv'], cwd: '/srv/shop/releases/r1', creates: '/srv/shop/releases/r1/.venv/bin/python' })
 */
export const buildStep = defineTask(buildStepType);
