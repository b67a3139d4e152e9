/**
 * The celery tasks by name, for playbooks that do not use the plugin as a whole. Each takes the plugin's
 * options (defaults applied here) and the app.
 */
import { dirname } from 'node:path';
import { quote, type AppModel, type CommonOptions, type Task } from '@runbook/core';
import { apt, command, directory, startOnceReleased, systemdUnit, tryRestartUnit } from '@runbook/system';
import { beatUnitOf, resolveCeleryOptions, scheduleOf, workerUnitOf, type CeleryOptions } from './celery-options.js';
import { renderBeatUnit, renderWorkerUnit, type UnitContext } from './render-units.js';

type Extra = Pick<CommonOptions, 'notify' | 'tags' | 'when'>;

/** Debian's celery and redis client (the venv's own celery wins when pip put one there). */
export const celeryPackages = (packages: string[], extra: Extra = {}): Task => apt({ packages, ...extra });

/** The handler a changed unit file notifies: `restart <unit>` (a running service only, warm shutdown). */
export const restartHandlerName = (unit: string): string => `restart ${unit}`;

/** A unit file, enabled; a change restarts it if it runs (handler). `celeryStart` starts it. */
const unitFile = (name: string, content: string, extra: Extra): Task =>
  systemdUnit({ name, content, enabled: true, ...extra, notify: [restartHandlerName(name), ...(extra.notify ?? [])] });

/**
 * `<unit>.service` of the worker: written and enabled; restarted (warm shutdown) when it changed and it
 * runs. Started by `celeryStart`, which waits for a live release.
 */
export const celeryWorker = (options: CeleryOptions, app: AppModel, u: UnitContext = {}, extra: Extra = {}): Task => {
  const o = resolveCeleryOptions(options);
  return unitFile(`${workerUnitOf(o, app)}.service`, renderWorkerUnit(o, app, u), extra);
};

/**
 * Starts the worker (and beat) when not running and a release is live. Before the first deploy there is
 * no `current` (the units' working directory): the deploy's restart starts them then.
 */
export const celeryStart = (options: CeleryOptions, app: Pick<AppModel, 'name' | 'current'>, extra: Extra = {}): Task[] =>
  celeryUnits(options, app).map((unit) => startOnceReleased(unit, app.current, extra));

/** The handlers of changed unit files: `systemctl try-restart` (a stopped unit stays stopped). */
export const celeryHandlers = (options: CeleryOptions, app: Pick<AppModel, 'name'>): Record<string, Task> =>
  Object.fromEntries(celeryUnits(options, app).map((unit) => [restartHandlerName(unit), tryRestartUnit(unit)]));

/** The schedule's directory (owned by the app user) and beat's service. Empty without `beat`. */
export function celeryBeat(options: CeleryOptions, app: AppModel, u: UnitContext = {}, extra: Extra = {}): Task[] {
  const o = resolveCeleryOptions(options);
  if (!o.beat) return [];
  return [
    directory({ path: dirname(scheduleOf(o, app)), owner: app.user, group: app.group, mode: '0750', recursive: true }),
    unitFile(`${beatUnitOf(o, app)}.service`, renderBeatUnit(o, app, u), extra),
  ];
}

/**
 * On a celery host that does not run beat (another host of the env does): its beat service stopped,
 * disabled and its unit file removed, if an earlier configure put it there.
 */
export function celeryBeatAbsent(options: CeleryOptions, app: Pick<AppModel, 'name'>, beatHost: string, extra: Extra = {}): Task {
  const unit = `${beatUnitOf(resolveCeleryOptions(options), app)}.service`;
  const path = `/etc/systemd/system/${unit}`;
  return command({
    title: `no ${unit} here (beat runs on ${beatHost})`,
    run: [
      `systemctl disable --now -- ${quote(unit)}`,
      `rm -f -- ${quote(path)}`,
      'systemctl daemon-reload',
      `systemctl reset-failed -- ${quote(unit)} 2>/dev/null || :`,
    ].join('\n'),
    removes: path,
    ...extra,
  });
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
