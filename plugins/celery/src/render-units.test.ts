import test from 'ava';
import { demoApp } from '@runbook/testing';
import { resolveCeleryOptions } from './celery-options.js';
import { renderBeatUnit, renderWorkerUnit, systemdWord } from './render-units.js';

test('worker unit: defaults', (t) => {
  t.is(renderWorkerUnit(resolveCeleryOptions(), demoApp), [
    '[Unit]',
    'Description=celery worker of demo (Runbook)',
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    'User=demo',
    'Group=demo',
    'WorkingDirectory=/srv/demo/current',
    'EnvironmentFile=/srv/demo/shared/.env',
    'ExecStart=/srv/demo/current/.venv/bin/python -m celery -A demo worker --loglevel=info "--hostname=demo@%%h" --without-gossip --without-mingle --without-heartbeat',
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    'TimeoutStopSec=300',
    'Restart=on-failure',
    'RestartSec=2',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n'));
});

test('worker unit: app, concurrency, queues, node name, extra args, after the broker', (t) => {
  const unit = renderWorkerUnit(
    resolveCeleryOptions({ app: 'demo_flask.tasks:celery', concurrency: 3, queues: ['celery', 'hooks'], nodeName: 'hooks@web1', logLevel: 'warning', stopTimeout: 60, extraArgs: ['--max-tasks-per-child', '100'] }),
    demoApp,
    { brokerUnit: 'dragonfly.service' },
  );
  t.regex(unit, /^After=network.target dragonfly.service$/m);
  t.regex(unit, /^ExecStart=\/srv\/demo\/current\/.venv\/bin\/python -m celery -A demo_flask.tasks:celery worker --loglevel=warning --hostname=hooks@web1 --concurrency=3 --queues=celery,hooks --without-gossip --without-mingle --without-heartbeat --max-tasks-per-child 100$/m);
  t.regex(unit, /^TimeoutStopSec=60$/m);
});

test('beat unit: schedule in shared, no pid file', (t) => {
  const unit = renderBeatUnit(resolveCeleryOptions({ beat: true }), demoApp);
  t.regex(unit, /^Description=celery beat of demo \(Runbook\)$/m);
  t.regex(unit, /^ExecStart=\/srv\/demo\/current\/.venv\/bin\/python -m celery -A demo beat --loglevel=info --schedule=\/srv\/demo\/shared\/celerybeat\/schedule --pidfile=$/m);
  t.regex(renderBeatUnit(resolveCeleryOptions({ beat: { schedule: '/var/lib/beat/s' } }), demoApp), /--schedule=\/var\/lib\/beat\/s /);
});

test('an app value that cannot go into a unit file names the key', (t) => {
  t.throws(() => renderWorkerUnit(resolveCeleryOptions(), { ...demoApp, venv: '/srv/my app/.venv' }), { message: /site\.app\.venv cannot go into a unit file/ });
});

test('systemdWord escapes systemd expansions', (t) => {
  t.is(systemdWord('plain'), 'plain');
  t.is(systemdWord('a b'), '"a b"');
  t.is(systemdWord('$HOME%h'), '"$$HOME%%h"');
  t.is(systemdWord(''), '""');
});

test('gossip: true keeps the gossip, mingle and heartbeat of celery', (t) => {
  const unit = renderWorkerUnit(resolveCeleryOptions({ gossip: true }), demoApp);
  t.notRegex(unit, /--without-/);
  t.throws(() => resolveCeleryOptions({ gossip: 'yes' as never }), { message: /gossip/ });
});
