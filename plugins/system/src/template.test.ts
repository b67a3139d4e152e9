import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { secret } from '@runbook/core';
import { HOSTILE, run, tempDir } from '../test/helpers.js';
import { renderTemplate } from './render-template.js';
import { template } from './template.js';

const render = test.macro((t, tpl: string, vars: Record<string, unknown>, expected: string) => {
  t.is(renderTemplate(tpl, vars).text, expected);
});
test('plain and dotted placeholders', render, 'a={{ a }} b={{b.c}}', { a: 1, b: { c: 'x' } }, 'a=1 b=x');
test('default when missing', render, '{{ port | default: 8000 }} {{ h | default: "0.0.0.0" }}', {}, '8000 0.0.0.0');
test('default ignored when set', render, '{{ port | default: 8000 }}', { port: 9 }, '9');
test('other braces are left alone', render, '{{ not valid! }} {{}}', {}, '{{ not valid! }} {{}}');
test('values are not re-scanned', render, '{{ a }}', { a: '{{ b }}' }, '{{ b }}');

test('a missing variable names the placeholder', (t) => {
  t.throws(() => template({ path: '/x', template: 'port={{ app.port }}', vars: { app: {} } }), {
    message: /file.template: template: no value for placeholder \{\{ app.port \}\} \(vars.app.port is not set\)/,
  });
});

test('real file: renders, second run ok in one exec; hostile values stay literal', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'app.conf');
  const task = template({ path, template: 'name={{ name }}\nworkers={{ workers }}\n', vars: { name: HOSTILE, workers: 4 } });
  const first = await run(task);
  t.is(first.status, 'changed', first.error?.message);
  t.is(readFileSync(path, 'utf8'), `name=${HOSTILE}\nworkers=4\n`);
  t.regex(first.diff!, /\+workers=4/);
  const second = await run(task);
  t.is(second.status, 'ok');
  t.is(second.execs, 1);
});

test('a secret in vars: real value written, file treated as sensitive', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, '.env');
  const r = await run(template({ path, template: 'DB_PASSWORD={{ pw }}\n', vars: { pw: secret('s3cr3t-value') }, mode: '0600' }));
  t.is(r.status, 'changed', r.error?.message);
  t.is(readFileSync(path, 'utf8'), 'DB_PASSWORD=s3cr3t-value\n');
  t.is(r.diff, `${path}: content hidden (sensitive)\n`);
  t.false(JSON.stringify(r).includes('s3cr3t-value'));
});
