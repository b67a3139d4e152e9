export { gunicorn, upstreamAddress } from './gunicorn.js';
export { resolveGunicornOptions, type GunicornOptions, type ResolvedGunicornOptions } from './gunicorn-options.js';
export { gunicornReloadTask, gunicornReloadType, type GunicornReloadOptions, type ReloadMode } from './reload-task.js';
export { gunicornConfig, gunicornPackages, gunicornReload, gunicornService, gunicornSocket, gunicornTryRestart, restartHandlerName } from './gunicorn-tasks.js';
export { renderGunicornConfig, UVICORN_WORKER } from './render-config.js';
export { appModule, renderServiceUnit, renderSocketUnit, systemdWord } from './render-units.js';
