import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide, gunicornReloadType, hupScript, parseRunning, restartScript } from './reload-task.js';

const o = { unit: 'gunicorn.service', venv: '/srv/shop/releases/r2/.venv', mode: 'auto' as const, graceful: 1 };
const V = '/srv/shop/.venvs/aaaa';

test('auto: HUP only when the running master is the one a restart recorded, from this venv', (t) => {
  t.deepEqual(decide({ pid: '42', record: `42 ${V}`, venv: V }, 'auto'), { how: 'hup', why: 'its master runs this venv' });
  t.deepEqual(decide({ pid: '42', record: '42 /srv/shop/.venvs/bbbb', venv: V }, 'auto'), { how: 'restart', why: 'its master runs another venv (/srv/shop/.venvs/bbbb)' });
  t.deepEqual(decide({ pid: '43', record: `42 ${V}`, venv: V }, 'auto'), { how: 'restart', why: 'its master was not started by a deploy' });
  t.deepEqual(decide({ pid: '42', record: '', venv: V }, 'auto'), { how: 'restart', why: 'its master was not started by a deploy' });
  t.deepEqual(decide({ pid: '0', record: `0 ${V}`, venv: V }, 'auto'), { how: 'restart', why: 'not running' });
  t.deepEqual(decide({ pid: '42', record: '42 ', venv: '' }, 'auto'), { how: 'restart', why: 'the release has no venv' });
  t.is(decide({ pid: '42', record: `42 ${V}`, venv: V }, 'restart').how, 'restart');
  t.is(decide({ pid: '42', record: '', venv: V }, 'hup').how, 'hup');
  t.deepEqual(decide({ pid: '0', record: '', venv: V }, 'hup'), { how: 'restart', why: 'not running' }, 'a master that is not running is started, whatever the mode');
});

test('facts parse; the plan says which and why; bad options are refused', (t) => {
  t.deepEqual(parseRunning({ stdout: `42\n42 ${V}\n${V}\n`, stderr: '', code: 0 }), { pid: '42', record: `42 ${V}`, venv: V });
  t.deepEqual(parseRunning({ stdout: '\n\n\n', stderr: '', code: 0 }), { pid: '0', record: '', venv: '' });
  t.deepEqual(gunicornReloadType.check({ running: { pid: '42', record: `42 ${V}`, venv: V } }, o, {} as never),
    { changes: ['reload gunicorn.service (HUP: its master runs this venv): new workers, no stop'], state: 'hup' });
  t.like(gunicornReloadType.check({ running: { pid: '0', record: '', venv: V } }, o, {} as never), { changes: ['restart gunicorn.service (not running)'], state: 'restart' });
  t.throws(() => gunicornReloadType.validate!({ ...o, unit: 'gunicorn; reboot' }), { message: /unit: expected a \.service name/ });
  t.throws(() => gunicornReloadType.validate!({ ...o, mode: 'graceful' as never }), { message: /mode: expected 'auto', 'restart' or 'hup'/ });
});

test('the restart records the new master and the venv it started from; every value is quoted', (t) => {
  const s = restartScript({ ...o, venv: "/srv/it's/.venv" });
  t.regex(s, /systemctl restart -- "\$u"\n/);
  t.regex(s, /readlink -f -- '\/srv\/it'\\''s\/\.venv'/);
  t.regex(s, /> \/run\/runbook\/gunicorn\.service\.reload\.tmp\nmv -f -- /);
});

/** The HUP script against stand-ins: `ps` lists two old workers (sleeps), `systemctl reload` ends them after `ms`. */
function hupRun(ms: number, graceful: number): { code: number; ms: number; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rb-hup-'));
  // a shell that waits for its two sleeps reaps them when they are killed, as gunicorn's master does
  execFileSync('sh', ['-c', `(sleep 30 & echo $! > ${dir}/w1; sleep 30 & echo $! > ${dir}/w2; wait) >/dev/null 2>&1 &`]);
  while (!existsSync(join(dir, 'w2')) || !readFileSync(join(dir, 'w2'), 'utf8').trim()) execFileSync('sleep', ['0.05']);
  const pids = ['w1', 'w2'].map((f) => readFileSync(join(dir, f), 'utf8').trim()).join(' ');
  writeFileSync(join(dir, 'ps'), `#!/bin/sh\necho ${pids}\n`);
  writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\ncase "$*" in show*) echo 4242 ;; reload*) (sleep ${ms / 1000}; kill ${pids}) >/dev/null 2>&1 & ;; esac\n`);
  for (const f of ['ps', 'systemctl']) chmodSync(join(dir, f), 0o755);
  const t0 = Date.now();
  let code = 0;
  let stderr = '';
  try {
    execFileSync('sh', ['-c', hupScript({ ...o, graceful })], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, stdio: 'pipe' });
  } catch (e) {
    code = (e as { status: number }).status;
    stderr = String((e as { stderr: Buffer }).stderr);
  }
  execFileSync('sh', ['-c', `kill ${pids} 2>/dev/null || :`]);
  rmSync(dir, { recursive: true, force: true });
  return { code, ms: Date.now() - t0, stderr };
}

test('real shell: the HUP returns once the old workers are gone, not before', (t) => {
  const r = hupRun(400, 1);
  t.is(r.code, 0, r.stderr);
  t.true(r.ms >= 380, `${r.ms} ms`);
  t.true(r.ms < 3000, `${r.ms} ms`);
});

test('real shell: old workers that outlive graceful + 5 s fail the reload, naming them', (t) => {
  const r = hupRun(60_000, 0);
  t.is(r.code, 1);
  t.regex(r.stderr, /gunicorn\.service: old workers \d+ \d+ still running 5 s after the reload/);
});
