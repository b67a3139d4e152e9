import test from 'ava';
import { execFileSync } from 'node:child_process';
import { parseServer, restartCommands, serverScript, serverType, type ServerFact } from './server.js';

const ctx = { alias: 'h', user: 'root', runAs: 'root', vars: {}, check: false };
const o = { cliArgs: [] };

test('parse: inactive, stale, running with the ping answer', (t) => {
  t.deepEqual(parseServer('inactive failed\n'), { state: 'inactive', detail: 'failed' });
  t.deepEqual(parseServer('stale /usr/local/bin/dragonfly\n'), { state: 'stale', file: '/usr/local/bin/dragonfly' });
  t.deepEqual(parseServer('ok 1\n'), { state: 'running', ping: { ok: true, attempts: 1, detail: '' } });
  t.deepEqual(parseServer('fail 50 NOAUTH Authentication required.\n'), { state: 'running', ping: { ok: false, attempts: 50, detail: 'NOAUTH Authentication required.' } });
});

const plan = test.macro((t, fact: ServerFact, check: boolean, expected: unknown) => {
  t.deepEqual(serverType.check({ server: fact }, o, { ...ctx, check }), expected);
});
test('current and PONG: no-op', plan, { state: 'running', ping: { ok: true, attempts: 2, detail: '' } }, false,
  { noop: 'dragonfly.service running since its last change, PONG (attempt 2)' });
test('started before a file changed: restart', plan, { state: 'stale', file: '/etc/dragonfly/dragonfly.env' }, false,
  { changes: ['restart dragonfly.service: /etc/dragonfly/dragonfly.env changed since it started'] });
test('not running under --check: the unit task would start it', plan, { state: 'inactive', detail: 'inactive' }, true,
  { noop: 'dragonfly.service is inactive (the unit task starts it)' });

test('fails: not running after the unit task; running without PONG', (t) => {
  t.regex(t.throws(() => serverType.check({ server: { state: 'inactive', detail: 'failed' } }, o, ctx))!.message,
    /^dragonfly\.service is failed, not running: see journalctl -u dragonfly\.service$/);
  t.is(t.throws(() => serverType.check({ server: { state: 'running', ping: { ok: false, attempts: 50, detail: 'NOAUTH Authentication required.' } } }, o, ctx))!.message,
    'redis-cli ping did not answer PONG after 50 attempt(s): NOAUTH Authentication required.');
});

test('restart: systemctl restart, then the PONG wait (no password in either)', (t) => {
  const cmds = restartCommands({ cliArgs: ['-p', '6380'] });
  t.deepEqual(cmds.map((c) => c.display), ['systemctl restart dragonfly.service', 'redis-cli -p 6380 ping']);
  t.regex(cmds[1].script, /^r=\$\( \(/, 'a command substitution, not $(( arithmetic');
});

test('the scripts parse in sh', (t) => {
  for (const s of [serverScript(o), restartCommands(o)[1].script]) t.notThrows(() => execFileSync('sh', ['-n', '-c', s]));
});
