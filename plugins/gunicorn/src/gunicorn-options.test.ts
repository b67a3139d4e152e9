import test from 'ava';
import { resolveGunicornOptions, type GunicornOptions } from './gunicorn-options.js';

test('defaults', (t) => {
  t.deepEqual(resolveGunicornOptions(), {
    unit: 'gunicorn', listen: '/run/gunicorn.sock', unixSocket: true, workers: undefined, asgi: false,
    timeout: 30, gracefulTimeout: 30, extraArgs: [], reload: 'auto', socketUser: 'www-data',
    configFile: '/etc/gunicorn/gunicorn.conf.py',
  });
});

test('tcp bind', (t) => {
  const o = resolveGunicornOptions({ bind: '127.0.0.1:8000', unit: 'shop' });
  t.is(o.listen, '127.0.0.1:8000');
  t.false(o.unixSocket);
  t.is(o.configFile, '/etc/shop/gunicorn.conf.py');
});

const refused = test.macro({
  exec(t, options: unknown, key: string) {
    const e = t.throws(() => resolveGunicornOptions(options as GunicornOptions));
    t.is((e as { code?: string }).code, 'E_OPTIONS');
    t.regex(e!.message, new RegExp(`^gunicorn: ${key} must be`));
  },
  title: (_, options: unknown, key: string) => `refuses ${key}: ${JSON.stringify(options)}`,
});

test(refused, { unit: 'a b' }, 'unit');
test(refused, { unit: 'x;rm' }, 'unit');
test(refused, { bind: 'localhost' }, 'bind');
test(refused, { bind: '127.0.0.1:99999' }, 'bind');
test(refused, { workers: 0 }, 'workers');
test(refused, { workers: 2.5 }, 'workers');
test(refused, { timeout: -1 }, 'timeout');
test(refused, { asgi: 'yes' }, 'asgi');
test(refused, { extraArgs: '--x' }, 'extraArgs');
test(refused, { extraArgs: ['a\nb'] }, 'extraArgs');
test(refused, { reload: 'kill' }, 'reload');
test(refused, { socketUser: 'a b' }, 'socketUser');

test('an unknown option: E_OPTIONS with the closest and the allowed keys; on (placement) is allowed', (t) => {
  const e = t.throws(() => resolveGunicornOptions({ wokers: 4 } as GunicornOptions));
  t.is((e as { code?: string }).code, 'E_OPTIONS');
  t.is(e?.message, 'gunicorn: unknown option "wokers"; did you mean "workers"? allowed: on, unit, bind, workers, asgi, timeout, gracefulTimeout, extraArgs, reload, socketUser');
  t.notThrows(() => resolveGunicornOptions({ on: 'web', workers: 4 }));
});
