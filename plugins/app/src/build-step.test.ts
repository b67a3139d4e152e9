import test from 'ava';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection, runTask, secret, type Task } from '@runbook/core';
import { buildStep, buildStepType } from './build-step.js';

const run = (task: Task) => runTask(new LocalConnection(), task, { alias: 'localhost', user: 'root', vars: {}, check: false });
const scratch = (t: { teardown(fn: () => void): void }): string => {
  const dir = mkdtempSync(join(tmpdir(), `rb-step sp'ace-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test('plans and errors show the step, not its script; guards as command', (t) => {
  const o = { show: 'pip install -r requirements.txt', space: '/srv/a/releases/r1', run: 'pip install\ntouch x', creates: '/srv/a/releases/r1/x' };
  t.deepEqual(buildStepType.check({ creates: 1 }, o, {} as never), { changes: ['run pip install -r requirements.txt'] });
  t.deepEqual(buildStepType.check({ creates: 0 }, o, {} as never), { noop: '/srv/a/releases/r1/x exists (creates)' });
  const [cmd] = buildStepType.apply({ changes: [] }, o, {} as never);
  t.is(cmd.display, 'pip install -r requirements.txt');
  t.throws(() => buildStep({ show: 'x', space: '/', run: 'x' }), { message: /needs a guard/ });
});

test('real shell: a full disk is named, with the path, its filesystem and the tool’s line', async (t) => {
  const dir = scratch(t);
  // /dev/full: every write fails with ENOSPC, as on a full disk
  const r = await run(buildStep({ show: 'copy onto a full disk', space: dir, run: 'echo working\ncp /etc/hostname /dev/full\ntouch never', cwd: dir, creates: join(dir, 'never') }));
  t.is(r.status, 'failed');
  t.regex(r.error!.message, new RegExp(`^copy onto a full disk failed \\(exit 1\\): no space left on ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ MiB free on /[^)]*\\): cp: error writing '/dev/full': No space left on device$`));
  t.false(existsSync(join(dir, 'never')), 'set -e holds inside the step');
});

test('real shell: other failures keep the tool’s last line; env, cwd and stdout pass through; success once', async (t) => {
  const dir = scratch(t);
  const fail = await run(buildStep({ show: 'boom', space: dir, run: 'echo first >&2\necho boom >&2\nexit 3', onlyIf: 'true' }));
  t.is(fail.status, 'failed');
  t.regex(fail.error!.message, /^boom failed \(exit 3\): boom$/);
  const marker = join(dir, 'done');
  const ok = buildStep({ show: 'write', space: dir, run: `printf '%s|%s' "$TOKEN" "$PWD" > out\necho warn >&2\ntouch done`, cwd: dir, env: { TOKEN: secret(`t'o$(k)en-1`) }, creates: marker });
  t.is((await run(ok)).status, 'changed');
  t.is(readFileSync(join(dir, 'out'), 'utf8'), `t'o$(k)en-1|${dir}`);
  t.is((await run(ok)).status, 'ok');
});

test('real shell: a tool that hides ENOSPC (venv swallows ensurepip\'s output) on a full filesystem: named all the same', async (t) => {
  const dir = scratch(t);
  // a df that reports the filesystem full (1 MiB left), first on PATH
  writeFileSync(join(dir, 'df'), `#!/bin/sh\necho 'Filesystem 1024-blocks Used Available Capacity Mounted on'\necho 'tmpfs 307200 306176 1024 100% /srv/rel'\n`);
  chmodSync(join(dir, 'df'), 0o755);
  const env = { PATH: `${dir}:/usr/bin:/bin` };
  const silent = await run(buildStep({ show: 'python3 -m venv .venv', space: dir, run: "echo \"Error: Command '[..., 'ensurepip']' returned non-zero exit status 1.\" >&2; exit 1", env, onlyIf: 'true' }));
  t.is(silent.error?.message, `python3 -m venv .venv failed (exit 1): no space left on ${dir} (1 MiB free on /srv/rel): Error: Command '[..., 'ensurepip']' returned non-zero exit status 1.`);
  // with room to spare, the same failure is just the tool's
  writeFileSync(join(dir, 'df'), `#!/bin/sh\necho 'Filesystem 1024-blocks Used Available Capacity Mounted on'\necho 'tmpfs 307200 1024 306176 1% /srv/rel'\n`);
  const roomy = await run(buildStep({ show: 'python3 -m venv .venv', space: dir, run: 'echo "Error: exit status 1." >&2; exit 1', env, onlyIf: 'true' }));
  t.is(roomy.error?.message, 'python3 -m venv .venv failed (exit 1): Error: exit status 1.');
});
