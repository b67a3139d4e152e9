/**
 * `gunicorn.reload`: the deploy's reload of gunicorn after the switch.
 * - `restart`: `systemctl restart`. A new master from scratch: the release's venv, code and `.env`.
 *   The stop waits for in-flight requests, then the new master starts; requests meanwhile wait in the
 *   socket. The venv the master started with is recorded (`/run/runbook/<unit>.reload`: its pid and venv).
 * - `hup`: `systemctl reload` (SIGHUP): the master stays; it forks new workers (which import the app
 *   from `current`) and stops the old ones once their request is done. No stop, no new interpreter.
 * - `auto` (the default): `hup` when the running master is the one a restart recorded and it started
 *   from the venv of the new release (the same requirements: the venv is shared), else `restart`. A
 *   master started any other way (a boot, by hand, a rollback, a config change) has no record: restart.
 * A reload returns once every old worker is gone, so the health check after it reaches new workers.
 */
import { changes, defineTask, quote, RunbookError, type FactOutput, type TaskType } from '@runbook/core';
import { restartUnitsScript } from '@runbook/system';

export type ReloadMode = 'auto' | 'restart' | 'hup';

export interface GunicornReloadOptions {
  /** @example 'gunicorn.service' */
  unit: string;
  /** the new release's venv link @example '/srv/shop/releases/20261206T040108Z-58e9c8/.venv' */
  venv: string;
  mode: ReloadMode;
  /** seconds old workers get to finish (gunicorn's graceful_timeout) @example 30 */
  graceful: number;
}

interface Running {
  /** MainPID, 0 when not running */
  pid: string;
  /** `<pid> <venv>` of the last restart, or '' */
  record: string;
  /** the new release's venv, resolved */
  venv: string;
}

type How = 'hup' | 'restart';

export const recordPath = (unit: string): string => `/run/runbook/${unit}.reload`;

export function runningScript(o: GunicornReloadOptions): string {
  return [
    `printf '%s\\n' "$(systemctl show -p MainPID --value -- ${quote(o.unit)})"`,
    `printf '%s\\n' "$(cat -- ${quote(recordPath(o.unit))} 2>/dev/null)"`,
    `printf '%s\\n' "$(readlink -f -- ${quote(o.venv)})"`,
  ].join('\n');
}

export function parseRunning(out: FactOutput): Running {
  const [pid = '0', record = '', venv = ''] = out.stdout.split('\n');
  return { pid: pid.trim() || '0', record: record.trim(), venv: venv.trim() };
}

/** Pure: how to reload, and why. */
export function decide(r: Running, mode: ReloadMode): { how: How; why: string } {
  // a master that is not running (socket activation starts it at the first request) is started
  if (r.pid === '0') return { how: 'restart', why: 'not running' };
  if (mode !== 'auto') return { how: mode, why: `reload: '${mode}'` };
  if (!r.venv) return { how: 'restart', why: 'the release has no venv' };
  if (r.record === `${r.pid} ${r.venv}`) return { how: 'hup', why: 'its master runs this venv' };
  const [pid, venv] = r.record.split(' ');
  if (pid !== r.pid) return { how: 'restart', why: 'its master was not started by a deploy' };
  return { how: 'restart', why: `its master runs another venv (${venv})` };
}

/** SIGHUP, then wait (at most graceful + 5 s) until none of the old master's workers is left. */
export function hupScript(o: GunicornReloadOptions): string {
  const polls = (o.graceful + 5) * 20;
  return [
    `u=${quote(o.unit)}`,
    'pid=$(systemctl show -p MainPID --value -- "$u")',
    // stopped since its facts were read: start it (no workers to wait for)
    'if [ "${pid:-0}" = 0 ]; then systemctl start -- "$u"; exit 0; fi',
    'old=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -s " \\n" " ")',
    'systemctl reload -- "$u"',
    'i=0',
    'while :; do',
    '  left=; for w in $old; do ! kill -0 "$w" 2>/dev/null || left="$left $w"; done',
    '  [ -n "$left" ] || break',
    `  i=$((i + 1)); [ "$i" -lt ${polls} ] || { echo "$u: old workers$left still running ${o.graceful + 5} s after the reload" >&2; exit 1; }`,
    '  sleep 0.05',
    'done',
  ].join('\n');
}

/** restart, then record the new master's pid and the venv it started from (for the next `auto`). */
export function restartScript(o: GunicornReloadOptions): string {
  const rec = quote(recordPath(o.unit));
  return [
    `u=${quote(o.unit)}`,
    `rm -f -- ${rec}`,
    restartUnitsScript(['"$u"'], false),
    'mkdir -p /run/runbook',
    `printf '%s %s\\n' "$(systemctl show -p MainPID --value -- "$u")" "$(readlink -f -- ${quote(o.venv)})" > ${rec}.tmp`,
    `mv -f -- ${rec}.tmp ${rec}`,
  ].join('\n');
}

export const gunicornReloadType: TaskType<GunicornReloadOptions, { running: Running }, How> = {
  name: 'gunicorn.reload',
  describe: (o) => o.unit,
  validate(o) {
    if (typeof o.unit !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.@-]*\.service$/.test(o.unit)) throw new RunbookError('E_OPTIONS', `unit: expected a .service name, got ${JSON.stringify(o.unit)}`);
    if (!['auto', 'restart', 'hup'].includes(o.mode)) throw new RunbookError('E_OPTIONS', `mode: expected 'auto', 'restart' or 'hup', got ${JSON.stringify(o.mode)}`);
    if (typeof o.venv !== 'string' || !o.venv.startsWith('/')) throw new RunbookError('E_OPTIONS', `venv: expected an absolute path, got ${JSON.stringify(o.venv)}`);
  },
  facts: (o) => ({ running: { command: runningScript(o), parse: parseRunning } }),
  check({ running }, o) {
    const { how, why } = decide(running, o.mode);
    return changes([how === 'hup' ? `reload ${o.unit} (HUP: ${why}): new workers, no stop` : `restart ${o.unit} (${why})`], { state: how });
  },
  apply(plan, o) {
    return plan.state === 'hup'
      ? [{ script: hupScript(o), display: `systemctl reload ${o.unit}` }]
      : [{ script: restartScript(o), display: `systemctl restart ${o.unit}` }];
  },
  touches: (o) => ['systemd', `path:${recordPath(o.unit)}`, `path:${o.venv}`],
};

/**
 * The deploy's reload of gunicorn: HUP when the master already runs the release's venv, else restart.
 * @example gunicornReloadTask({ unit: 'gunicorn.service', venv: '/srv/shop/releases/r2/.venv', mode: 'auto', graceful: 30 })
 */
export const gunicornReloadTask = defineTask(gunicornReloadType);
