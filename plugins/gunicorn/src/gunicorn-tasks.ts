/**
 * The gunicorn tasks by name, for playbooks that do not use the plugin as a whole. Each takes the
 * plugin's options (defaults applied here) and the app they serve.
 */
import type { AppModel, CommonOptions, Task } from '@runbook/core';
import { apt, directory, file, systemdUnit, tryRestartUnit } from '@runbook/system';
import { resolveGunicornOptions, type GunicornOptions } from './gunicorn-options.js';
import { renderGunicornConfig } from './render-config.js';
import { renderServiceUnit, renderSocketUnit } from './render-units.js';
import { gunicornReloadTask } from './reload-task.js';

type Extra = Pick<CommonOptions, 'notify' | 'tags' | 'when'>;

/** The handler name the plugin's configure tasks notify: `restart <unit>`. */
export const restartHandlerName = (options: GunicornOptions = {}): string => `restart ${resolveGunicornOptions(options).unit}`;

/** Debian's gunicorn, and python3-uvicorn for `asgi`. */
export const gunicornPackages = (options: GunicornOptions = {}, extra: Extra = {}): Task =>
  apt({ packages: resolveGunicornOptions(options).asgi ? ['gunicorn', 'python3-uvicorn'] : ['gunicorn'], ...extra });

/** `/etc/<unit>/gunicorn.conf.py` (and its directory), root-owned 0644. */
export function gunicornConfig(options: GunicornOptions, app: Pick<AppModel, 'current'>, extra: Extra = {}): Task[] {
  const o = resolveGunicornOptions(options);
  return [
    directory({ path: `/etc/${o.unit}`, owner: 'root', group: 'root', mode: '0755' }),
    file({ path: o.configFile, content: renderGunicornConfig(o, app), owner: 'root', group: 'root', mode: '0644', ...extra }),
  ];
}

/** `<unit>.service`: written (daemon-reload on change), not enabled: the socket starts it. */
export const gunicornService = (options: GunicornOptions, app: AppModel, extra: Extra = {}): Task => {
  const o = resolveGunicornOptions(options);
  return systemdUnit({ name: `${o.unit}.service`, content: renderServiceUnit(o, app), ...extra });
};

/** `<unit>.socket`: written, enabled and listening; restarted when it changed. */
export const gunicornSocket = (options: GunicornOptions, app: Pick<AppModel, 'name'>, extra: Extra = {}): Task => {
  const o = resolveGunicornOptions(options);
  return systemdUnit({ name: `${o.unit}.socket`, content: renderSocketUnit(o, app), enabled: true, state: 'started', ...extra });
};

/** The handler: restart the service if it runs (a stopped one is started by its socket when needed). */
export const gunicornTryRestart = (options: GunicornOptions = {}): Task =>
  tryRestartUnit(`${resolveGunicornOptions(options).unit}.service`);

/**
 * The deploy's graceful reload after the switch (reload-task.ts): per the `reload` option, `auto` (HUP
 * when the master already runs the new release's venv, else restart), `restart` or `hup`. `release`: the
 * new release's directory (its `.venv` decides `auto`). Runs on every deploy.
 */
export const gunicornReload = (options: GunicornOptions, release: { path: string }, extra: Extra = {}): Task => {
  const o = resolveGunicornOptions(options);
  return gunicornReloadTask({ unit: `${o.unit}.service`, venv: `${release.path}/.venv`, mode: o.reload, graceful: o.gracefulTimeout, ...extra });
};
