/** `/etc/<unit>/uwsgi.ini` and `<unit>.service`, rendered from the options and the app model. */
import { errors, type AppModel } from '@runbook/core';
import { iniPathOf, listenOf, unitOf, type IniValue, type ResolvedUwsgiOptions } from './uwsgi-options.js';

// app model values written unquoted into the ini and the unit: no spaces, quotes, `$`, `%`, `@(` or backslashes
const SAFE = /^[A-Za-z0-9_.\/:+,=-]+$/;

function safe(key: keyof AppModel, value: string | undefined): string {
  if (typeof value !== 'string' || !SAFE.test(value)) {
    throw errors.options(`uwsgi: site.app.${key} cannot go into uwsgi.ini or a unit file: ${JSON.stringify(value)} (letters, digits and _./:+,=- only)`, { key: `app.${key}` });
  }
  return value;
}

/** The WSGI callable uWSGI serves (`module = pkg.wsgi:application`): site.app.wsgi. */
export function wsgiModule(app: AppModel): string {
  if (!app.wsgi) throw errors.config(`uwsgi: needs site.app.wsgi (the python path of the WSGI callable, e.g. 'shop.wsgi:application')`, { key: 'app.wsgi' });
  return safe('wsgi', app.wsgi);
}

const iniValue = (v: string | number | boolean): string => (typeof v === 'boolean' ? String(v) : String(v));
const iniLines = (k: string, v: IniValue): string[] => (Array.isArray(v) ? v.map((x) => `${k} = ${x}`) : [`${k} = ${iniValue(v)}`]);

export function renderIni(o: ResolvedUwsgiOptions, app: AppModel): string {
  const unix = o.socket === 'unix';
  const lines = [
    `# Managed by Runbook (@runbook/uwsgi): \`run configure\` overwrites changes made here.`,
    `[uwsgi]`,
    `# unknown options are errors, and so is an app that fails to import`,
    `strict = true`,
    `need-app = true`,
    `plugins = python3`,
    `# systemd starts the master as root: it binds the socket for nginx, then runs as the app user`,
    `uid = ${safe('user', app.user)}`,
    `gid = ${safe('group', app.group)}`,
    `# paths through \`current\`: a reload (SIGHUP) re-executes the master, which resolves them again`,
    `chdir = ${safe('current', app.current)}`,
    `virtualenv = ${safe('venv', app.venv)}`,
    `module = ${wsgiModule(app)}`,
    `master = true`,
    `processes = ${o.processes ?? '%k'}`,
    `threads = ${o.threads}`,
    `enable-threads = true`,
    `socket = ${listenOf(o, app)}`,
    ...(unix ? [`chown-socket = ${o.socketUser}:${o.socketUser}`, `chmod-socket = 600`] : []),
    `vacuum = true`,
    `# SIGTERM (systemd's stop) shuts down; SIGHUP reloads gracefully`,
    `die-on-term = true`,
    `reload-mercy = ${o.gracefulTimeout}`,
    `worker-reload-mercy = ${o.gracefulTimeout}`,
    ...(o.harakiri !== undefined ? [`harakiri = ${o.harakiri}`] : []),
    ...o.extraOptions.flatMap(([k, v]) => iniLines(k, v)),
    ``,
  ];
  return lines.join('\n');
}

export function renderServiceUnit(o: ResolvedUwsgiOptions, app: AppModel): string {
  const unit = unitOf(o, app);
  return [
    '[Unit]',
    `Description=uWSGI of ${safe('name', app.name)} (Runbook)`,
    'After=network.target',
    '',
    '[Service]',
    // uWSGI tells systemd when it is ready (READY=1), also after a reload
    'Type=notify',
    'NotifyAccess=all',
    `EnvironmentFile=${safe('envFile', app.envFile)}`,
    // /run/<unit>/ for the socket; removed when the service stops
    `RuntimeDirectory=${unit}`,
    'RuntimeDirectoryMode=0755',
    `ExecStart=/usr/bin/uwsgi --ini ${iniPathOf(o, app)}`,
    // graceful reload: workers finish their requests, the master re-executes itself and keeps the socket
    'ExecReload=/bin/kill -s HUP $MAINPID',
    // with die-on-term SIGTERM is uWSGI's shutdown; SIGQUIT (the docs' KillSignal without die-on-term)
    // would be a brutal reload here, and the stop would hang until TimeoutStopSec
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${o.gracefulTimeout + 5}`,
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
