/**
 * The app's `.env` as systemd (EnvironmentFile=, how gunicorn, uWSGI and celery get it) and sh (`set -a;
 * . .env`, how a deploy's commands and a shell on the host get it) read it on a real host: a value with
 * newlines, quotes, `$` and backticks arrives the same both ways. Fails, never skips, when the host cannot boot.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { reveal } from '@runbook/core';
import { checkoutSet, type HostSet, up } from '@runbook/testhosts';
import { renderEnvFile } from '../src/env-file.js';

let hosts: HostSet;
test.before(async () => {
  hosts = await up({ set: checkoutSet('itenvfile'), count: 1 });
});
test.after.always(async () => {
  await hosts?.down();
});

const ssh = (command: string, input = '') => new Promise<string>((res, rej) => {
  const child = execFile('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', `root@${hosts.hosts[0].name}`, command], (e, out, err) => (e ? rej(new Error(err)) : res(out)));
  child.stdin!.end(input);
});

test('a multi-line value reaches a systemd unit exactly as it reaches a shell', async (t) => {
  const value = '-----BEGIN KEY-----\nabc $HOME `id` "q" \\ \\n end\n-----END KEY-----';
  await ssh('cat > /tmp/app.env', reveal(renderEnvFile({ KEY: value, PLAIN: 'x' })));
  const viaSystemd = await ssh(`systemd-run --quiet --pipe --wait -p EnvironmentFile=/tmp/app.env sh -c 'printf %s "$KEY"'`);
  const viaSh = await ssh(`sh -c 'set -a; . /tmp/app.env; printf %s "$KEY"'`);
  t.is(viaSystemd, value);
  t.is(viaSh, value);
});
