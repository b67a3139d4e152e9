/** The worker and beat `.service` files. */
import { errors, type AppModel } from '@runbook/core';
import { celeryAppOf, scheduleOf, type ResolvedCeleryOptions } from './celery-options.js';

// values written into unit files unquoted: no spaces, quotes, `$`, `%` or backslashes
const SAFE = /^[A-Za-z0-9_@.\/:+,=-]+$/;

function safe(key: keyof AppModel, value: string | undefined): string {
  if (typeof value !== 'string' || !SAFE.test(value)) {
    throw errors.options(`celery: site.app.${key} cannot go into a unit file: ${JSON.stringify(value)} (letters, digits and _@./:+,=- only)`, { key: `app.${key}` });
  }
  return value;
}

/** One word of a systemd command line, quoted: `$` and `%` are systemd's own expansions. */
export function systemdWord(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;
}

export interface UnitContext {
  /** the broker's unit on this host (site.broker.unit): ordered before the worker */
  brokerUnit?: string;
}

/** `<venv>/bin/python -m celery -A <app>`: the venv's celery if pip put one there, else Debian's. */
const celery = (o: ResolvedCeleryOptions, app: AppModel) => [`${safe('venv', app.venv)}/bin/python`, '-m', 'celery', '-A', celeryAppOf(o, app)];

function service(description: string, argv: string[], o: ResolvedCeleryOptions, app: AppModel, u: UnitContext, stop: string[]): string {
  return [
    '[Unit]',
    `Description=${description} of ${safe('name', app.name)} (Runbook)`,
    `After=network.target${u.brokerUnit ? ` ${u.brokerUnit}` : ''}`,
    '',
    '[Service]',
    'Type=simple',
    `User=${safe('user', app.user)}`,
    `Group=${safe('group', app.group)}`,
    // resolved on every start: a restart after the switch runs the new release
    `WorkingDirectory=${safe('current', app.current)}`,
    `EnvironmentFile=${safe('envFile', app.envFile)}`,
    `ExecStart=${argv.map(systemdWord).join(' ')}`,
    ...stop,
    'Restart=on-failure',
    'RestartSec=2',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export function renderWorkerUnit(o: ResolvedCeleryOptions, app: AppModel, u: UnitContext = {}): string {
  const argv = [
    ...celery(o, app),
    'worker',
    `--loglevel=${o.logLevel}`,
    `--hostname=${o.nodeName ?? `${app.name}@%h`}`,
    ...(o.concurrency !== undefined ? [`--concurrency=${o.concurrency}`] : []),
    ...(o.queues.length ? [`--queues=${o.queues.join(',')}`] : []),
    // see the gossip option: a worker with them stopped taking tasks after a broker restart
    ...(o.gossip ? [] : ['--without-gossip', '--without-mingle', '--without-heartbeat']),
    ...o.extraArgs,
  ];
  return service('celery worker', argv, o, app, u, [
    // warm shutdown: SIGTERM to the main process only; it stops taking tasks, waits for the running
    // ones in its pool, then exits. What is still running after TimeoutStopSec is killed.
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${o.stopTimeout}`,
  ]);
}

export function renderBeatUnit(o: ResolvedCeleryOptions, app: AppModel, u: UnitContext = {}): string {
  // the schedule (last run times) lives in shared/, so a new release does not rerun what just ran
  const argv = [...celery(o, app), 'beat', `--loglevel=${o.logLevel}`, `--schedule=${scheduleOf(o, app)}`, '--pidfile='];
  return service('celery beat', argv, o, app, u, ['KillMode=mixed', 'TimeoutStopSec=30']);
}


