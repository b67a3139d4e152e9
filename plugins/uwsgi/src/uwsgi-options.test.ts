import test from 'ava';
import { RunbookError } from '@runbook/core';
import { resolveUwsgiOptions, type UwsgiOptions } from './uwsgi-options.js';

const rejects = test.macro((t, o: unknown, key: string, message: RegExp) => {
  const e = t.throws(() => resolveUwsgiOptions(o as UwsgiOptions), { instanceOf: RunbookError });
  t.is(e!.code, 'E_OPTIONS');
  t.is(e!.details.key, key);
  t.regex(e!.message, message);
});

test('defaults', (t) => {
  t.deepEqual(resolveUwsgiOptions(), { unit: undefined, socket: 'unix', processes: undefined, threads: 1, harakiri: undefined, gracefulTimeout: 30, socketUser: 'www-data', extraOptions: [] });
});

test('unit with a space', rejects, { unit: 'my app' }, 'unit', /^uwsgi: unit must be a systemd unit name/);
test('socket without a port', rejects, { socket: 'localhost' }, 'socket', /'unix' or 'host:port'/);
test('socket port out of range', rejects, { socket: '127.0.0.1:70000' }, 'socket', /host:port/);
test('processes 0', rejects, { processes: 0 }, 'processes', /integer ≥ 1, got 0/);
test('threads as a string', rejects, { threads: '2' }, 'threads', /integer ≥ 1, got "2"/);
test('harakiri negative', rejects, { harakiri: -1 }, 'harakiri', /integer ≥ 1/);
test('socketUser with a colon', rejects, { socketUser: 'www-data:www-data' }, 'socketUser', /a user name/);
test('extraOptions as an array', rejects, { extraOptions: ['x'] }, 'extraOptions', /an object/);
test('extraOptions key in capitals', rejects, { extraOptions: { Buffer: 1 } }, 'extraOptions.Buffer', /uWSGI option name/);
test('extraOptions that the plugin writes', rejects, { extraOptions: { socket: ':8000' } }, 'extraOptions.socket', /does not write itself/);
test('extraOptions value with a newline', rejects, { extraOptions: { 'static-map': 'a\nb' } }, 'extraOptions.static-map', /single-line/);
test('options not an object', rejects, 'fast', 'options', /an object/);
test('an unknown option, with the closest one', rejects, { proceses: 4 }, 'proceses',
  /^uwsgi: unknown option "proceses"; did you mean "processes"\? allowed: on, unit, socket, processes, threads, harakiri, gracefulTimeout, socketUser, extraOptions$/);
test('on (placement) is allowed', (t) => {
  t.notThrows(() => resolveUwsgiOptions({ on: 'web' }));
});
