/** The `<unit>.socket` and `<unit>.service` files. */
import { errors, type AppModel } from '@runbook/core';
import type { ResolvedGunicornOptions } from './gunicorn-options.js';

// values written into unit files unquoted: no spaces, quotes, `$`, `%` or backslashes
const SAFE = /^[A-Za-z0-9_@.\/:+,=-]+$/;

function safe(key: string, value: string | undefined): string {
  if (typeof value !== 'string' || !SAFE.test(value)) {
    throw errors.options(`gunicorn: site.app.${key} cannot go into a unit file: ${JSON.stringify(value)} (letters, digits and _@./:+,=- only)`, { key: `app.${key}` });
  }
  return value;
}

/** One word of a systemd command line, quoted: `$` and `%` are systemd's own expansions. */
export function systemdWord(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;
}

export function renderSocketUnit(o: ResolvedGunicornOptions, app: Pick<AppModel, 'name'>): string {
  const lines = [
    '[Unit]',
    `Description=gunicorn socket of ${safe('name', app.name)} (Runbook)`,
    '',
    '[Socket]',
    `ListenStream=${o.listen}`,
  ];
  // only the web server (and root) may connect
  if (o.unixSocket) lines.push(`SocketUser=${o.socketUser}`, 'SocketMode=0600');
  lines.push('', '[Install]', 'WantedBy=sockets.target', '');
  return lines.join('\n');
}

/** The module gunicorn serves: the app's ASGI callable with `asgi`, else its WSGI callable. */
export function appModule(o: ResolvedGunicornOptions, app: AppModel): string {
  const key = o.asgi ? 'asgi' : 'wsgi';
  if (!app[key]) {
    throw errors.config(`gunicorn: ${o.asgi ? 'asgi: true needs' : 'needs'} site.app.${key} (the python path of the ${key.toUpperCase()} callable, e.g. 'shop.${key}:application')`, { key: `app.${key}` });
  }
  return safe(key, app[key]);
}

export function renderServiceUnit(o: ResolvedGunicornOptions, app: AppModel): string {
  const argv = [`${safe('venv', app.venv)}/bin/python`, '-m', 'gunicorn', '-c', o.configFile, appModule(o, app), ...o.extraArgs];
  return [
    '[Unit]',
    `Description=gunicorn of ${safe('name', app.name)} (Runbook)`,
    `Requires=${o.unit}.socket`,
    `After=network.target ${o.unit}.socket`,
    '',
    '[Service]',
    // gunicorn tells systemd when the arbiter is up (READY=1)
    'Type=notify',
    'NotifyAccess=main',
    `User=${safe('user', app.user)}`,
    `Group=${safe('group', app.group)}`,
    `WorkingDirectory=${safe('current', app.current)}`,
    `EnvironmentFile=${safe('envFile', app.envFile)}`,
    // the venv's python: its own gunicorn if pip put one there, else Debian's through system site packages
    `ExecStart=${argv.map(systemdWord).join(' ')}`,
    'ExecReload=/bin/kill -s HUP $MAINPID',
    // SIGTERM to the master only (a graceful stop: workers finish their requests), SIGKILL to stragglers
    'KillMode=mixed',
    `TimeoutStopSec=${o.gracefulTimeout + 5}`,
    'Restart=on-failure',
    'PrivateTmp=true',
    '',
  ].join('\n');
}
