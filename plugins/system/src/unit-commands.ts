/**
 * The systemctl steps that the app, its servers' and workers' plugins (gunicorn, uwsgi, celery) share.
 */
import { quote, type CommonOptions, type Task } from '@runbook/core';
import { command } from './command.js';

/** The handler of a changed unit file: `systemctl try-restart` (a running unit restarts, a stopped one stays stopped). */
export const tryRestartUnit = (unit: string): Task =>
  command({ run: ['systemctl', 'try-restart', '--', unit], always: true, title: `try-restart ${unit}` });

/**
 * Starts `unit` when it is not running and a release is live (`current` exists). A unit that runs in
 * the app's `current` cannot start before the first deploy; the deploy starts it then.
 */
export const startOnceReleased = (unit: string, current: string, extra: Pick<CommonOptions, 'notify' | 'tags' | 'when'> = {}): Task =>
  command({
    title: `start ${unit} once a release is live`,
    run: ['systemctl', 'start', '--', unit],
    unless: `systemctl is-active --quiet -- ${quote(unit)}`,
    onlyIf: `test -e ${quote(current)}`,
    ...extra,
  });

/**
 * Shell that restarts `units` (each a word of the script: quoted here, or a shell expansion such as `"$u"`
 * when `quoted` is false). reset-failed first: a unit that crash-looped into its start limit (a bad release,
 * an old .env) refuses a plain restart.
 * @example restartUnitsScript(['gunicorn.service']) // systemctl reset-failed -- 'gunicorn.service' … ; systemctl restart -- …
 */
export function restartUnitsScript(units: string[], quoted = true): string {
  const list = units.map((u) => (quoted ? quote(u) : u)).join(' ');
  return `systemctl reset-failed -- ${list} 2>/dev/null || :\nsystemctl restart -- ${list}`;
}
