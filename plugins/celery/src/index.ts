export { celery, type CeleryPluginOptions } from './celery.js';
export { beatUnitOf, celeryAppOf, resolveCeleryOptions, scheduleOf, workerUnitOf, type CeleryBeatOptions, type CeleryOptions, type ResolvedCeleryOptions } from './celery-options.js';
export { beatHostOf, runsBeat } from './beat-host.js';
export { celeryBeat, celeryBeatAbsent, celeryHandlers, celeryPackages, celeryRestart, celeryStart, celeryUnits, celeryWorker, restartHandlerName } from './celery-tasks.js';
export { renderBeatUnit, renderWorkerUnit, systemdWord, type UnitContext } from './render-units.js';
