/**
 * The celery tasks by name, for playbooks that do not use the plugin as a whole. Each takes the plugin's
 * options (defaults applied here) and the app.
 */
import { dirname } from 'node:path';
import type { AppModel, CommonOptions, Task } from '@runbook/core';
import { apt, directory, systemdUnit } from '@runbook/system';
import { beatUnitOf, resolveCeleryOptions, scheduleOf, workerUnitOf, type CeleryOptions } from './celery-options.js';
import { renderBeatUnit, renderWorkerUnit, type UnitContext } from './render-units.js';

type Extra = Pick<CommonOptions, 'notify' | 'tags' | 'when'>;

/** Debian's celery and redis client (the venv's own celery wins when pip put one there). */
export const celeryPackages = (packages: string[], extra: Extra = {}): Task => apt({ packages, ...extra });

/** `<unit>.service` of the worker: written, enabled, running; restarted (warm shutdown) when it changed. */
export const celeryWorker = (options: CeleryOptions, app: AppModel, u: UnitContext = {}, extra: Extra = {}): Task => {
  const o = resolveCeleryOptions(options);
  return systemdUnit({ name: `${workerUnitOf(o, app)}.service`, content: renderWorkerUnit(o, app, u), enabled: true, state: 'started', ...extra });
};

/** The schedule's directory (owned by the app user) and beat's service. Empty without `beat`. */
export function celeryBeat(options: CeleryOptions, app: AppModel, u: UnitContext = {}, extra: Extra = {}): Task[] {
  const o = resolveCeleryOptions(options);
  if (!o.beat) return [];
  return [
    directory({ path: dirname(scheduleOf(o, app)), owner: app.user, group: app.group, mode: '0750', recursive: true }),
    systemdUnit({ name: `${beatUnitOf(o, app)}.service`, content: renderBeatUnit(o, app, u), enabled: true, state: 'started', ...extra }),
  ];
}

/** The units a deploy restarts after the switch: the worker, and beat when enabled. */
export function celeryUnits(options: CeleryOptions, app: Pick<AppModel, 'name'>): string[] {
  const o = resolveCeleryOptions(options);
  return [`${workerUnitOf(o, app)}.service`, ...(o.beat ? [`${beatUnitOf(o, app)}.service`] : [])];
}

/**
 * The deploy's restart after the switch: the worker's warm shutdown lets running tasks finish (the
 * restart waits for it, up to `stopTimeout`), then it starts in the new release. Runs on every deploy.
 */
export const celeryRestart = (options: CeleryOptions, app: Pick<AppModel, 'name'>, extra: Extra = {}): Task[] =>
  celeryUnits(options, app).map((name) => systemdUnit({ name, state: 'restarted', ...extra }));
