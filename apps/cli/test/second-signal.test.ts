/**
 * A second Ctrl-C exits at once (DESIGN §9), through the real binary on localhost (no test hosts): the
 * first asks the run to stop after its running task, the second does not wait for it and names the
 * hosts that had not finished (where a deploy lock could be left).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../dist/bin.js');

test('the second SIGINT exits 130 at once, naming the host that had not finished; the running task never reports', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-second-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","runbook":{"secrets":false}}');
  mkdirSync(join(dir, 'inventories'));
  writeFileSync(join(dir, 'inventories/local.yml'), 'hosts:\n  localhost: { hostname: localhost, become: false }\n');
  const child = spawn('node', [bin, join(import.meta.dirname, 'fixtures/slow.ts'), '--env', 'local'], { cwd: dir, env: { ...process.env, CI: 'true' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  await new Promise<void>((ready) => child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    // the quick task is done: the slow one (sleep 6) runs now
    if (/localhost +CHANGED +command\.run +true/.test(out)) ready();
  }));
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGINT');
  t.is(await code, 130);
  t.regex(err, /SIGINT: stopping/);
  t.regex(err, /second SIGINT: exiting now\. These hosts did not finish their rescue and unlock, a deploy lock may be left on them: localhost\. Release it with: run unlock --env local/);
  t.notRegex(out, /sleep 6/, 'it did not wait for the running task');
});
