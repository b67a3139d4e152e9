import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HOSTILE, leftovers, run, tempDir } from '../test/helpers.js';
import { download } from './download.js';

const BODY = Buffer.from('#!/bin/sh\necho tool v2\n');
const SHA = createHash('sha256').update(BODY).digest('hex');
let server: Server;
let base: string;
let hits = 0;

test.before(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/tool') res.end(BODY);
    else if (req.url === '/tampered') res.end('evil');
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after.always(() => server?.close());

test.serial('downloads once, verifies, sets mode; second run is one exec and no request', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const dest = join(dir, `-${HOSTILE}`);
  const task = download({ url: `${base}/tool`, dest, sha256: SHA, mode: '0755' });
  const dry = await run(task, { check: true });
  t.is(dry.status, 'changed');
  t.false(existsSync(dest));
  const first = await run(task);
  t.is(first.status, 'changed', first.error?.message);
  t.is(first.execs, 2);
  t.deepEqual(readFileSync(dest), BODY);
  t.is(statSync(dest).mode & 0o7777, 0o755);
  const before = hits;
  const second = await run(task);
  t.is(second.status, 'ok');
  t.is(second.execs, 1);
  t.is(hits, before);
  t.deepEqual(leftovers(dir), []);
});

test.serial('a wrong hash fails before replacing anything', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const dest = join(dir, 'tool');
  writeFileSync(dest, 'old version\n');
  const r = await run(download({ url: `${base}/tampered`, dest, sha256: SHA }));
  t.is(r.status, 'failed');
  t.regex(r.error!.message, new RegExp(`sha256 mismatch for .*/tampered: expected ${SHA}, got [0-9a-f]{64}`));
  t.is(readFileSync(dest, 'utf8'), 'old version\n');
  t.deepEqual(leftovers(dir), []);
  const missing = await run(download({ url: `${base}/nope`, dest, sha256: SHA }));
  t.is(missing.status, 'failed');
  t.is(readFileSync(dest, 'utf8'), 'old version\n');
  t.deepEqual(leftovers(dir), []);
});

test('validation', (t) => {
  t.throws(() => download({ url: 'file:///etc/passwd', dest: '/x', sha256: SHA }), { message: /url: expected an http/ });
  t.throws(() => download({ url: 'https://x/y', dest: '/x', sha256: 'abc' }), { message: /sha256: expected the 64 hex digits/ });
  t.throws(() => download({ url: 'https://x/y', dest: '/x' } as never), { message: /sha256/ });
});

/** Runs the apply script with a PATH that has only the tools listed (to force the wget/python3 fallbacks). */
async function applyWith(tools: string[], dest: string): Promise<number | null> {
  const { LocalConnection } = await import('@runbook/core');
  const { mkdtempSync, symlinkSync, rmSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const bin = mkdtempSync(join(tmpdir(), 'rb-bin-'));
  try {
    for (const tool of ['mktemp', 'sha256sum', 'cut', 'chmod', 'chown', 'mv', 'rm', ...tools]) {
      // python3 may be a pyenv shim (a script needing more tools): link the real interpreter
      const real = tool === 'python3'
        ? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' })
        : execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
      symlinkSync(real.trim(), join(bin, tool));
    }
    const task = download({ url: `${base}/tool`, dest, sha256: SHA });
    const [cmd] = task.type.apply({ changes: [], state: { fetch: true } }, task.options, {} as never);
    const r = await new LocalConnection().exec(`PATH='${bin}' /bin/sh`, { stdin: `set -e\n${cmd.script}\n` });
    return r.code;
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test.serial('falls back to wget, then python3', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  t.is(await applyWith(['wget'], join(dir, 'w')), 0);
  t.deepEqual(readFileSync(join(dir, 'w')), BODY);
  t.is(await applyWith(['python3'], join(dir, 'p')), 0);
  t.deepEqual(readFileSync(join(dir, 'p')), BODY);
  t.not(await applyWith([], join(dir, 'none')), 0);
  t.false(existsSync(join(dir, 'none')));
  t.deepEqual(leftovers(dir), []);
});
