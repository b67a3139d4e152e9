import test from 'ava';
import { resolveGunicornOptions, type GunicornOptions } from './gunicorn-options.js';
import { demoApp } from '@runbook/testing';
import { renderGunicornConfig } from './render-config.js';

const conf = test.macro((t, options: GunicornOptions, expected: string[]) => {
  const lines = renderGunicornConfig(resolveGunicornOptions(options), demoApp).split('\n');
  for (const l of expected) t.true(lines.includes(l), `${l} in\n${lines.join('\n')}`);
});

test('defaults: unix socket, workers from the host cores, sync worker', conf, {}, [
  'import multiprocessing',
  'bind = "unix:/run/gunicorn.sock"',
  'workers = multiprocessing.cpu_count() * 2 + 1',
  'worker_class = "sync"',
  'timeout = 30',
  'graceful_timeout = 30',
  'chdir = "/srv/demo/current"',
]);
test('asgi: uvicorn worker; fixed workers; timeouts; tcp', conf, { asgi: true, workers: 3, timeout: 60, gracefulTimeout: 5, bind: '127.0.0.1:8000' }, [
  'bind = "127.0.0.1:8000"',
  'workers = 3',
  'worker_class = "uvicorn.workers.UvicornWorker"',
  'timeout = 60',
  'graceful_timeout = 5',
]);
test('strings are python literals', (t) => {
  const text = renderGunicornConfig(resolveGunicornOptions(), { current: '/srv/a"b\\c' });
  t.true(text.includes('chdir = "/srv/a\\"b\\\\c"'));
});
