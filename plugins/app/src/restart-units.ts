/**
 * `app.restart`: the handler of a changed `.env` (app.env): restarts the units that run the app
 * (`site.reloadUnits`: gunicorn, uwsgi, celery …) so they read it, when the app is live and the .env's
 * content changed (the marker app.env leaves). A unit that is not installed yet (its plugin's configure
 * comes later in this run and starts it itself) is left alone. The marker goes once every unit restarted.
 */
import { changes, defineTask, noop, quote, RunbookError, type FactOutput, type TaskType } from '@runbook/core';
import { restartUnitsScript } from '@runbook/system';

export interface RestartUnitsOptions {
  units: string[];
  /** @example '/srv/shop/current' */
  current: string;
  /** @example '/srv/shop/.env-restart-pending' */
  marker: string;
}

interface RestartFacts {
  live: boolean;
  pending: boolean;
}

const exists = (path: string) => ({ command: `[ -e ${quote(path)} ] || [ -L ${quote(path)} ]`, parse: (out: FactOutput) => out.code === 0 });

export const restartUnitsType: TaskType<RestartUnitsOptions, RestartFacts> = {
  name: 'app.restart',
  describe: (o) => `restart ${o.units.join(', ') || 'the app'} for its new .env`,
  validate(o) {
    if (!Array.isArray(o.units) || !o.units.every((u) => typeof u === 'string' && /^[A-Za-z0-9:_.\\@-]+$/.test(u))) {
      throw new RunbookError('E_OPTIONS', `units: expected systemd unit names, got ${JSON.stringify(o.units)}`);
    }
  },
  facts: (o) => ({ live: exists(o.current), pending: exists(o.marker) }),
  check({ live, pending }, o, ctx) {
    if (o.units.length === 0) return noop('no unit runs the app here');
    if (!live) return noop(`the app is not live yet (no ${o.current}): its first deploy starts it`);
    // under --check nothing was written: the .env task's plan said whether the content changes
    if (!pending && !ctx.check) return noop('the .env content is unchanged (only its mode or owner was set)');
    return changes([`restart ${o.units.join(', ')}`]);
  },
  apply(_plan, o) {
    const script = [
      `for u in ${o.units.map((u) => quote(u)).join(' ')}; do`,
      // a unit not installed yet is left alone: its configure, later in this run, starts it
      '  if [ "$(systemctl show -p LoadState --value -- "$u")" = loaded ]; then',
      restartUnitsScript(['"$u"'], false).replace(/^/gm, '    '),
      '  fi',
      'done',
      `rm -f -- ${quote(o.marker)}`,
    ].join('\n');
    return [{ script, display: `systemctl restart ${o.units.join(' ')}` }];
  },
};

/**
 * Restarts the app's units after a .env change, when the app is live.
 * @example restartUnits({ units: ['gunicorn.service'], current: '/srv/shop/current', marker: '/srv/shop/.env-restart-pending' })
 */
export const restartUnits = defineTask(restartUnitsType);
