import test from 'ava';
import { resolveGunicornOptions, type GunicornOptions } from './gunicorn-options.js';
import { demoApp } from '@runbook/testing';
import { renderServiceUnit, renderSocketUnit, systemdWord } from './render-units.js';

const socket = test.macro((t, options: GunicornOptions, expected: string[]) => {
  t.deepEqual(renderSocketUnit(resolveGunicornOptions(options), demoApp).split('\n'), expected);
});

test('socket: unix by default, only www-data may connect', socket, {}, [
  '[Unit]', 'Description=gunicorn socket of demo (Runbook)', '',
  '[Socket]', 'ListenStream=/run/gunicorn.sock', 'SocketUser=www-data', 'SocketMode=0600', '',
  '[Install]', 'WantedBy=sockets.target', '',
]);
test('socket: named unit and socket owner', socket, { unit: 'shop', socketUser: 'nginx' }, [
  '[Unit]', 'Description=gunicorn socket of demo (Runbook)', '',
  '[Socket]', 'ListenStream=/run/shop.sock', 'SocketUser=nginx', 'SocketMode=0600', '',
  '[Install]', 'WantedBy=sockets.target', '',
]);
test('socket: tcp has no owner or mode', socket, { bind: '127.0.0.1:8000' }, [
  '[Unit]', 'Description=gunicorn socket of demo (Runbook)', '',
  '[Socket]', 'ListenStream=127.0.0.1:8000', '',
  '[Install]', 'WantedBy=sockets.target', '',
]);

const service = test.macro((t, options: GunicornOptions, expected: Record<string, string>) => {
  const lines = renderServiceUnit(resolveGunicornOptions(options), demoApp).split('\n');
  for (const [key, value] of Object.entries(expected)) t.true(lines.includes(`${key}=${value}`), `${key}=${value} in\n${lines.join('\n')}`);
});

test('service: wsgi, socket-activated, notify, graceful stop', service, {}, {
  Requires: 'gunicorn.socket',
  After: 'network.target gunicorn.socket',
  Type: 'notify',
  User: 'demo',
  Group: 'demo',
  WorkingDirectory: '/srv/demo/current',
  EnvironmentFile: '/srv/demo/shared/.env',
  ExecStart: '/srv/demo/current/.venv/bin/python -m gunicorn -c /etc/gunicorn/gunicorn.conf.py demo.wsgi:application',
  ExecReload: '/bin/kill -s HUP $MAINPID',
  KillMode: 'mixed',
  TimeoutStopSec: '35',
  Restart: 'on-failure',
});
test('service: asgi serves the asgi callable', service, { asgi: true, unit: 'web' }, {
  Requires: 'web.socket',
  ExecStart: '/srv/demo/current/.venv/bin/python -m gunicorn -c /etc/web/gunicorn.conf.py demo.asgi:application',
});
test('service: extra args are quoted for systemd; stop timeout follows gracefulTimeout', service,
  { extraArgs: ['--max-requests', '1000', '--log-level', 'debug info', '--x=$HOME%n"q"'], gracefulTimeout: 10 },
  {
    ExecStart: '/srv/demo/current/.venv/bin/python -m gunicorn -c /etc/gunicorn/gunicorn.conf.py demo.wsgi:application --max-requests 1000 --log-level "debug info" "--x=$$HOME%%n\\"q\\""',
    TimeoutStopSec: '15',
  });

test('service: an app without the callable fails naming the key', (t) => {
  const e = t.throws(() => renderServiceUnit(resolveGunicornOptions({ asgi: true }), { ...demoApp, asgi: undefined }));
  t.regex(e!.message, /asgi: true needs site\.app\.asgi/);
});
test('service: a path that cannot go into a unit file is refused', (t) => {
  const e = t.throws(() => renderServiceUnit(resolveGunicornOptions(), { ...demoApp, current: '/srv/my app/current' }));
  t.regex(e!.message, /site\.app\.current cannot go into a unit file/);
});

test('systemdWord', (t) => {
  t.is(systemdWord('/usr/bin/x'), '/usr/bin/x');
  t.is(systemdWord(''), '""');
  t.is(systemdWord('a b'), '"a b"');
  t.is(systemdWord('back\\slash'), '"back\\\\slash"');
});
