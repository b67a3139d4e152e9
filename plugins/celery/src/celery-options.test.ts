import test from 'ava';
import { RunbookError, secret } from '@runbook/core';
import { demoApp } from '@runbook/testing';
import { celeryAppOf, resolveCeleryOptions, type CeleryOptions } from './celery-options.js';

const rejects = test.macro((t, o: unknown, key: string, message: RegExp) => {
  const e = t.throws(() => resolveCeleryOptions(o as CeleryOptions), { instanceOf: RunbookError });
  t.is(e!.code, 'E_OPTIONS');
  t.is(e!.details.key, key);
  t.regex(e!.message, message);
});

test('defaults', (t) => {
  t.like(resolveCeleryOptions(), { queues: [], logLevel: 'info', stopTimeout: 300, beat: undefined, extraArgs: [] });
  t.deepEqual(resolveCeleryOptions({ beat: true }).beat, {});
});

test('app defaults to the package of site.app.wsgi (Django layout); the option wins (Flask)', (t) => {
  t.is(celeryAppOf(resolveCeleryOptions(), demoApp), 'demo');
  t.is(celeryAppOf(resolveCeleryOptions({ app: 'demo_flask.tasks:celery' }), demoApp), 'demo_flask.tasks:celery');
  t.throws(() => celeryAppOf(resolveCeleryOptions(), { ...demoApp, wsgi: undefined }), { message: /set the app option/ });
});

test('app with a space', rejects, { app: 'demo tasks' }, 'app', /python module path/);
test('unit with a slash', rejects, { unit: 'a/b' }, 'unit', /systemd unit name/);
test('broker not a URL', rejects, { broker: 'localhost:6379' }, 'broker', /a URL such as/);
test('queues with a comma', rejects, { queues: ['a,b'] }, 'queues', /queue names/);
test('logLevel unknown', rejects, { logLevel: 'verbose' }, 'logLevel', /one of 'debug'/);
test('concurrency 0', rejects, { concurrency: 0 }, 'concurrency', /integer ≥ 1/);
test('nodeName with a space', rejects, { nodeName: 'a b@%h' }, 'nodeName', /node name/);
test('beat as a string', rejects, { beat: 'yes' }, 'beat', /a boolean or/);
test('beat.schedule relative', rejects, { beat: { schedule: 'beat.db' } }, 'beat.schedule', /absolute path/);
test('beat.unit bad', rejects, { beat: { unit: 'a b' } }, 'beat.unit', /systemd unit name/);
test('extraArgs with a newline', rejects, { extraArgs: ['a\nb'] }, 'extraArgs', /single-line/);

test('a bad broker secret is not echoed', (t) => {
  const e = t.throws(() => resolveCeleryOptions({ broker: secret('hunter2-not-a-url', 'BROKER') }));
  t.false(e!.message.includes('hunter2'));
});

test('an unknown option', rejects, { concurency: 4 }, 'concurency',
  /^celery: unknown option "concurency"; did you mean "concurrency"\? allowed: on, app, unit, broker, concurrency, queues, logLevel, nodeName, stopTimeout, beat, gossip, extraArgs$/);
test('an unknown beat option', rejects, { beat: { shedule: '/var/lib/beat/s' } }, 'beat.shedule',
  /^celery: unknown option "beat\.shedule"; did you mean "beat\.schedule"\? allowed: unit, schedule, on$/);
