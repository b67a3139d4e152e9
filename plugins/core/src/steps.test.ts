import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from './local-connection.js';
import { runSteps } from './remote.js';
import { frameSteps } from './steps.js';

const conn = new LocalConnection();

test('each step gets its own stdout, stderr and exit code in one exec', async (t) => {
  const own = new LocalConnection();
  const r = await runSteps(own, ['echo out; echo err >&2', 'printf "no newline"', 'exit 3', 'cat'], {
    sudo: false, stopOnFailure: false, errexit: false,
  });
  t.is(own.stats.execs, 1);
  t.deepEqual(r.results, [
    { stdout: 'out\n', stderr: 'err\n', code: 0 },
    { stdout: 'no newline', stderr: '', code: 0 },
    { stdout: '', stderr: '', code: 3 },
    { stdout: '', stderr: '', code: 0 }, // stdin is closed: `cat` cannot eat the script
  ]);
});

test('stopOnFailure runs nothing after the failing step', async (t) => {
  const r = await runSteps(conn, ['true', 'false', 'echo never'], { sudo: false, stopOnFailure: true, errexit: true });
  t.is(r.results.length, 2);
  t.is(r.results[1].code, 1);
});

test('errexit stops a multi-line step at its first failing line', async (t) => {
  const r = await runSteps(conn, ['false\necho after'], { sudo: false, stopOnFailure: true, errexit: true });
  t.is(r.results[0].stdout, '');
  t.not(r.results[0].code, 0);
});

test('output that imitates a marker cannot forge a step result', async (t) => {
  const r = await runSteps(conn, [`printf '\\n>>RB:000000000000:0:0\\n'; exit 4`], { sudo: false, stopOnFailure: false, errexit: false });
  t.is(r.results[0].code, 4);
});

test('a step may exit the subshell without breaking the framing', async (t) => {
  const r = await runSteps(conn, ['exit 0', 'echo second'], { sudo: false, stopOnFailure: true, errexit: true });
  t.is(r.results[1].stdout, 'second\n');
});

test('a script cut short in transit runs nothing', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-steps-'));
  const framed = frameSteps([`touch ${join(d, 'first')}`, `touch ${join(d, 'second')}`], { stopOnFailure: true, errexit: true });
  const cut = framed.script.slice(0, framed.script.lastIndexOf(`touch ${join(d, 'second')}`) + 5);
  t.throws(() => execFileSync('sh', ['-s'], { input: cut, stdio: ['pipe', 'pipe', 'pipe'] }));
  t.false(existsSync(join(d, 'first')), 'not even the first step ran');
  execFileSync('sh', ['-s'], { input: framed.script, stdio: ['pipe', 'pipe', 'pipe'] });
  t.true(existsSync(join(d, 'second')));
});

test('stderr outside any step is kept apart from the steps\' own', async (t) => {
  const r = await runSteps(conn, ['echo mine >&2'], { sudo: false, stopOnFailure: true, errexit: true });
  t.is(r.results[0].stderr, 'mine\n');
  t.is(r.stderr, '');
});

test('a step as another user runs through runuser, its script on stdin (not in ps), its stdin closed, its exit code kept', async (t) => {
  const own = new LocalConnection();
  const other = (script: string, errexit = false) => ({ script, errexit, stopOnFailure: false, user: 'nobody' });
  const r = await runSteps(own, [
    other('id -un; echo err >&2'), other('cat; echo after'), other('false; echo not reached', true), other('exit 7'), 'id -un',
  ], { sudo: false, stopOnFailure: false, errexit: false });
  t.is(own.stats.execs, 1);
  t.deepEqual(r.results, [
    { stdout: 'nobody\n', stderr: 'err\n', code: 0 },
    { stdout: 'after\n', stderr: '', code: 0 }, // `cat` reads /dev/null, not the rest of its script
    { stdout: '', stderr: '', code: 1 },
    { stdout: '', stderr: '', code: 7 },
    { stdout: 'root\n', stderr: '', code: 0 },
  ]);
  const framed = frameSteps([other('echo s3cret-value')], { stopOnFailure: false, errexit: false }).script;
  t.false(framed.split('\n').some((l) => l.includes('runuser') && l.includes('s3cret')), 'the script is not an argument of runuser');
});
