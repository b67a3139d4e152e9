/**
 * The uwsgi tasks by name, for playbooks that do not use the plugin as a whole. Each takes the plugin's
 * options (defaults applied here) and the app it serves.
 */
import type { AppModel, CommonOptions, Task } from '@runbook/core';
import { apt, command, directory, file, startOnceReleased, systemdUnit, tryRestartUnit } from '@runbook/system';
import { renderIni, renderServiceUnit } from './render.js';
import { iniPathOf, resolveUwsgiOptions, unitOf, type UwsgiOptions } from './uwsgi-options.js';

type Extra = Pick<CommonOptions, 'notify' | 'tags' | 'when'>;

/** The handler the ini notifies: `reload <unit>` (a SIGHUP re-reads the ini without dropping a request). */
export const reloadHandlerName = (options: UwsgiOptions, app: Pick<AppModel, 'name'>): string => `reload ${unitOf(resolveUwsgiOptions(options), app)}`;

/** Debian's uWSGI and its Python 3 plugin. */
export const uwsgiPackages = (extra: Extra = {}): Task => apt({ packages: ['uwsgi', 'uwsgi-plugin-python3'], ...extra });

/** `/etc/<unit>/uwsgi.ini` (and its directory), root-owned 0644. */
export function uwsgiIni(options: UwsgiOptions, app: AppModel, extra: Extra = {}): Task[] {
  const o = resolveUwsgiOptions(options);
  return [
    directory({ path: `/etc/${unitOf(o, app)}`, owner: 'root', group: 'root', mode: '0755' }),
    file({ path: iniPathOf(o, app), content: renderIni(o, app), owner: 'root', group: 'root', mode: '0644', ...extra }),
  ];
}

/** The handler a changed unit file notifies: `restart <unit>` (a running service only). */
export const restartHandlerName = (options: UwsgiOptions, app: Pick<AppModel, 'name'>): string => `restart ${unitOf(resolveUwsgiOptions(options), app)}`;

/**
 * `<unit>.service`: written and enabled; a changed file restarts a running service (handler). Started by
 * `uwsgiStart`, which waits for a live release.
 */
export const uwsgiService = (options: UwsgiOptions, app: AppModel, extra: Extra = {}): Task => {
  const o = resolveUwsgiOptions(options);
  return systemdUnit({
    name: `${unitOf(o, app)}.service`, content: renderServiceUnit(o, app), enabled: true, ...extra,
    notify: [restartHandlerName(options, app), ...(extra.notify ?? [])],
  });
};

/**
 * Starts the service when it is not running and a release is live. Before the first deploy there is no
 * `current` to chdir into (uWSGI would fail to start): the deploy's reload starts it then.
 */
export const uwsgiStart = (options: UwsgiOptions, app: Pick<AppModel, 'name' | 'current'>, extra: Extra = {}): Task =>
  startOnceReleased(`${unitOf(resolveUwsgiOptions(options), app)}.service`, app.current, extra);

/** The handler of a changed unit file: `systemctl try-restart` (a stopped service stays stopped). */
export const uwsgiTryRestart = (options: UwsgiOptions, app: Pick<AppModel, 'name'>): Task =>
  tryRestartUnit(`${unitOf(resolveUwsgiOptions(options), app)}.service`);

/** The handler: a graceful reload if the service runs (SIGHUP; a stopped one stays stopped). */
export const uwsgiTryReload = (options: UwsgiOptions, app: Pick<AppModel, 'name'>): Task => {
  const unit = unitOf(resolveUwsgiOptions(options), app);
  return command({ run: ['systemctl', 'try-reload-or-restart', '--', `${unit}.service`], always: true, title: `try-reload-or-restart ${unit}.service` });
};

/**
 * The deploy's graceful reload after the switch: `systemctl reload` (SIGHUP), or a start if it is not
 * running. Requests in flight finish, the master re-executes itself with the socket kept open (new
 * requests wait in its backlog), and the new master resolves `current` again: the new release.
 */
export const uwsgiReload = (options: UwsgiOptions, app: Pick<AppModel, 'name'>, extra: Extra = {}): Task =>
  systemdUnit({ name: `${unitOf(resolveUwsgiOptions(options), app)}.service`, state: 'reloaded', ...extra });
