import test from 'ava';
import { execFileSync } from 'node:child_process';
import { isSecret, reveal, secret } from '@runbook/core';
import { resolveDragonflyOptions } from './dragonfly-options.js';
import { cliArgs, envQuote, renderEnvFile, renderUnit } from './render-unit.js';

const o = resolveDragonflyOptions({ url: 'https://example.org/d', sha256: 'a'.repeat(64) });

test('the unit of the manual steps for the defaults', (t) => {
  t.is(renderUnit(o, false), `[Unit]
Description=Dragonfly In-Memory Data Store
After=network.target

[Service]
User=dragonfly
Group=dragonfly
EnvironmentFile=/etc/dragonfly/dragonfly.env
ExecStart=/usr/local/bin/dragonfly --dir /var/lib/dragonfly --port 6379 --bind 127.0.0.1
ExecStop=/usr/bin/redis-cli shutdown
Restart=always

[Install]
WantedBy=multi-user.target
`);
});

test('options on ExecStart; the password only as ${REDISCLI_AUTH}; redis-cli reaches another port and address', (t) => {
  const other = resolveDragonflyOptions({ url: 'https://example.org/d', sha256: 'a'.repeat(64), port: 6380, bind: '0.0.0.0', maxMemory: '1gb' });
  const unit = renderUnit(other, true);
  t.regex(unit, /^ExecStart=\/usr\/local\/bin\/dragonfly --dir \/var\/lib\/dragonfly --port 6380 --bind 0\.0\.0\.0 --maxmemory 1gb --requirepass \$\{REDISCLI_AUTH\}$/m);
  t.regex(unit, /^ExecStop=\/usr\/bin\/redis-cli -p 6380 shutdown$/m);
  t.deepEqual(cliArgs({ bind: '10.1.2.3', port: 6379 }), ['-h', '10.1.2.3']);
  t.deepEqual(cliArgs(o), []);
});

test('the env file: a Secret; the value reads back the same through sh', (t) => {
  const pw = 'a "b" $HOME `x` \\ \'q\' %n';
  const env = renderEnvFile(secret(pw));
  t.true(isSecret(env));
  t.regex(reveal(env), /^# written by runbook/);
  const line = reveal(env).split('\n')[1];
  t.is(line, `REDISCLI_AUTH=${envQuote(pw)}`);
  const back = execFileSync('sh', ['-c', `${line}\nprintf %s "$REDISCLI_AUTH"`]).toString();
  t.is(back, pw);
  t.is(reveal(renderEnvFile()).split('\n').filter(Boolean).length, 1, 'no password: the comment only');
});
