import test from 'ava';
import { demoApp } from '@runbook/testing';
import { renderIni, renderServiceUnit } from './render.js';
import { resolveUwsgiOptions } from './uwsgi-options.js';

const ini = (o = {}, app = demoApp) => renderIni(resolveUwsgiOptions(o), app);
const lines = (s: string) => s.split('\n').filter((l) => l && !l.startsWith('#'));

test('ini: defaults', (t) => {
  t.deepEqual(lines(ini()), [
    '[uwsgi]',
    'strict = true',
    'need-app = true',
    'plugins = python3',
    'uid = demo',
    'gid = demo',
    'chdir = /srv/demo/current',
    'virtualenv = /srv/demo/current/.venv',
    'module = demo.wsgi:application',
    'master = true',
    'processes = %k',
    'threads = 1',
    'enable-threads = true',
    'socket = /run/uwsgi-demo/uwsgi.sock',
    'chown-socket = www-data:www-data',
    'chmod-socket = 600',
    'vacuum = true',
    'die-on-term = true',
    'reload-mercy = 30',
    'worker-reload-mercy = 30',
  ]);
});

test('ini: tcp socket, counts, harakiri, extra options in order (arrays repeat the key)', (t) => {
  const l = lines(ini({ socket: '127.0.0.1:3031', processes: 4, threads: 2, harakiri: 60, gracefulTimeout: 10, unit: 'shop', extraOptions: { 'max-requests': 1000, 'static-map': ['/a=/x', '/b=/y'], 'py-autoreload': false } }));
  t.true(l.includes('socket = 127.0.0.1:3031'));
  t.false(l.some((x) => x.startsWith('chown-socket') || x.startsWith('chmod-socket')));
  t.true(l.includes('processes = 4'));
  t.true(l.includes('threads = 2'));
  t.true(l.includes('reload-mercy = 10'));
  t.deepEqual(l.slice(-6), ['worker-reload-mercy = 10', 'harakiri = 60', 'max-requests = 1000', 'static-map = /a=/x', 'static-map = /b=/y', 'py-autoreload = false']);
});

test('ini: a named unit moves the socket', (t) => {
  t.true(lines(ini({ unit: 'shop-uwsgi' })).includes('socket = /run/shop-uwsgi/uwsgi.sock'));
});

test('ini: an app value uWSGI would expand is refused, naming the key', (t) => {
  t.throws(() => ini({}, { ...demoApp, current: '/srv/%k/current' }), { message: /site\.app\.current cannot go into uwsgi\.ini/ });
  t.throws(() => ini({}, { ...demoApp, wsgi: undefined }), { message: /needs site\.app\.wsgi/ });
});

test('service unit', (t) => {
  t.is(renderServiceUnit(resolveUwsgiOptions({ gracefulTimeout: 20 }), demoApp), [
    '[Unit]',
    'Description=uWSGI of demo (Runbook)',
    'After=network.target',
    '',
    '[Service]',
    'Type=notify',
    'NotifyAccess=all',
    'EnvironmentFile=/srv/demo/shared/.env',
    'RuntimeDirectory=uwsgi-demo',
    'RuntimeDirectoryMode=0755',
    'ExecStart=/usr/bin/uwsgi --ini /etc/uwsgi-demo/uwsgi.ini',
    'ExecReload=/bin/kill -s HUP $MAINPID',
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    'TimeoutStopSec=25',
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n'));
});
