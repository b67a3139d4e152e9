import test from 'ava';
import { hostname } from 'node:os';
import { controlWho } from './who.js';

test('user@hostname of the control machine; RUNBOOK_WHO names a CI job instead, as one word', (t) => {
  t.regex(controlWho({}), new RegExp(`^[^@\\s]+@${hostname().replace(/\./g, '\\.')}$`));
  t.is(controlWho({ RUNBOOK_WHO: 'bob@build-7' }), 'bob@build-7');
  t.is(controlWho({ RUNBOOK_WHO: ' ci job 4711 ' }), 'ci-job-4711');
  t.is(controlWho({ RUNBOOK_WHO: '  ' }), controlWho({}), 'blank is unset');
});
