/** Batched round trips on a real local shell: exec counts, and facts always fresh after a change. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from './local-connection.js';
import { quote } from './quote.js';
import type { TaskResult } from './run-task.js';
import { runTasks } from './run-tasks.js';
import { changes, defineTask, noop } from './task.js';
import { touch, touchKeyed } from '../test/fixture-tasks.js';

/** Appends a line to a file, but only once the file exists: it reads what `touch` makes. */
const appendIfExists = defineTask<{ path: string; line: string }, { content: string | null }, unknown>({
  name: 'test.append',
  describe: (o) => o.path,
  facts: (o) => ({ content: { command: `cat ${quote(o.path)}`, parse: (r) => (r.code === 0 ? r.stdout : null) } }),
  check: (f, o) => (f.content === null ? noop('no file') : f.content.includes(o.line) ? noop('has the line') : changes(['append'])),
  apply: (_p, o) => [{ script: `echo ${quote(o.line)} >> ${quote(o.path)}`, display: 'append' }],
});
/** A fact that records when it was read: it must not run ahead of its task. */
const stamp = defineTask<{ log: string }, { ran: boolean }, unknown>({
  name: 'test.stamp',
  describe: () => 'stamp',
  facts: (o) => ({ ran: { command: `echo fact >> ${quote(o.log)}`, parse: () => true, late: true } }),
  check: () => noop('read'),
  apply: () => [],
});
const failing = defineTask<Record<string, never>, Record<string, never>, unknown>({
  name: 'test.fail', describe: () => 'fails', facts: () => ({}), check: () => changes(['x']),
  apply: () => [{ script: 'exit 9', display: 'exit 9' }],
});

const host = { alias: 'local', user: 'root', vars: {}, check: false };
async function play(tasks: ReturnType<typeof touch>[], check = false) {
  const order: string[] = [];
  const conn = new LocalConnection();
  const results: TaskResult[] = [];
  const ok = await runTasks(conn, tasks, { ...host, check }, { start: (t) => void order.push(`start ${t.title}`), done: (t, r) => { order.push(`done ${t.title}`); results.push(r); } });
  return { ok, order, results, execs: conn.stats.execs, statuses: results.map((r) => r.status) };
}
const dir = () => mkdtempSync(join(tmpdir(), 'rb-batch-'));

test('a no-op list costs one exec whatever its length', async (t) => {
  const d = dir();
  for (const f of ['a', 'b', 'c', 'd', 'e']) writeFileSync(join(d, f), '');
  const r = await play(['a', 'b', 'c', 'd', 'e'].map((f) => touch({ path: join(d, f) })));
  t.deepEqual(r.statuses, ['ok', 'ok', 'ok', 'ok', 'ok']);
  t.is(r.execs, 1);
});

test('a first run costs one exec more per changing task (each apply carries the next facts)', async (t) => {
  const d = dir();
  writeFileSync(join(d, 'c'), '');
  const r = await play(['a', 'b', 'c', 'd'].map((f) => touch({ path: join(d, f) })));
  t.deepEqual(r.statuses, ['changed', 'changed', 'ok', 'changed']);
  t.is(r.execs, 1 + 3);
});

test('a later task plans from facts read after the earlier change, not before it', async (t) => {
  const d = dir();
  const path = join(d, 'conf');
  const r = await play([touch({ path }), appendIfExists({ path, line: 'key=1' })]);
  t.deepEqual(r.statuses, ['changed', 'changed'], 'stale facts would have said "no file"');
  t.is(readFileSync(path, 'utf8'), 'key=1\n');
  const again = await play([touch({ path }), appendIfExists({ path, line: 'key=1' })]);
  t.deepEqual(again.statuses, ['ok', 'ok']);
  t.is(again.execs, 1);
});

test('--check plans every task from one exec and changes nothing', async (t) => {
  const d = dir();
  const r = await play(['a', 'b', 'c'].map((f) => touch({ path: join(d, f) })), true);
  t.deepEqual(r.statuses, ['changed', 'changed', 'changed']);
  t.is(r.execs, 1);
  t.false(existsSync(join(d, 'a')));
});

test('a failed apply stops the list; nothing after it runs', async (t) => {
  const d = dir();
  const r = await play([touch({ path: join(d, 'a') }), failing({}) as never, touch({ path: join(d, 'b') })]);
  t.false(r.ok);
  t.deepEqual(r.statuses, ['changed', 'failed']);
  t.regex(r.results[1].error!.message, /exit 9/);
  t.false(existsSync(join(d, 'b')));
});

test('changes of another user with no root change in their exec run through sudo -u, not runuser', async (t) => {
  const d = dir();
  writeFileSync(join(d, 'a'), '');
  // root login: the facts of both share root's exec (nobody cannot enter the 0700 dir: b reads as missing);
  // b's change is the only one of its exec, which then runs as nobody through sudo (not installed here)
  const r = await play([touch({ path: join(d, 'a') }), touch({ path: join(d, 'b'), becomeUser: 'nobody' })]);
  t.deepEqual(r.statuses, ['ok', 'failed']);
  t.is(r.results[1].error?.code, 'E_BECOME');
  t.is(r.execs, 2, 'facts of both in one exec, the change in one as nobody');
});

test('a late fact is read just before its task, after the earlier changes, and only once', async (t) => {
  const d = dir();
  const log = join(d, 'log');
  const r = await play([touch({ path: join(d, 'a') }), touch({ path: join(d, 'b') }), stamp({ log }) as never, touch({ path: join(d, 'c') })]);
  t.deepEqual(r.statuses, ['changed', 'changed', 'ok', 'changed']);
  t.is(readFileSync(log, 'utf8'), 'fact\n', 'read once, not with every earlier batch');
});

test('late facts ride on the exec of the changes before them; consecutive late ones are read together, in order', async (t) => {
  const d = dir();
  const log = join(d, 'log');
  const r = await play([touchKeyed({ path: join(d, 'a') }), stamp({ log }) as never, stamp({ log }) as never]);
  t.deepEqual(r.statuses, ['changed', 'ok', 'ok']);
  t.is(r.execs, 2, 'the facts of the change; then the change with both late facts after it');
  t.is(readFileSync(log, 'utf8'), 'fact\nfact\n', 'each read once');
});

/** Like appendIfExists, declaring the file it reads and changes. */
const appendKeyed = defineTask<{ path: string; line: string }, { content: string | null }, unknown>({
  ...appendIfExists.type,
  name: 'test.appendKeyed',
  touches: (o) => [`path:${o.path}`],
});

test('independent changes that declare their keys are applied in one exec', async (t) => {
  const d = dir();
  writeFileSync(join(d, 'c'), '');
  const r = await play(['a', 'b', 'c', 'd', 'e'].map((f) => touchKeyed({ path: join(d, f) })));
  t.deepEqual(r.statuses, ['changed', 'changed', 'ok', 'changed', 'changed']);
  t.is(r.execs, 2, 'one exec for the facts, one for all four changes');
  for (const f of ['a', 'b', 'd', 'e']) t.true(existsSync(join(d, f)));
  t.deepEqual(r.order.filter((x) => x.startsWith('done')), ['a', 'b', 'c', 'd', 'e'].map((f) => `done ${join(d, f)}`), 'reported in task order');
  t.is((await play(['a', 'b', 'c', 'd', 'e'].map((f) => touchKeyed({ path: join(d, f) })))).execs, 1);
});

test('a task whose key overlaps a pending change is planned from facts read after it', async (t) => {
  const d = dir();
  const path = join(d, 'conf');
  const other = join(d, 'other');
  const r = await play([touchKeyed({ path }), touchKeyed({ path: other }), appendKeyed({ path, line: 'key=1' }) as never]);
  t.deepEqual(r.statuses, ['changed', 'changed', 'changed'], 'stale facts would have said "no file"');
  t.is(readFileSync(path, 'utf8'), 'key=1\n');
  t.is(r.execs, 3, 'facts; both touches with the append\'s fresh facts; the append');
});

test('a task without keys flushes the pending changes and reads its facts after them', async (t) => {
  const d = dir();
  const path = join(d, 'conf');
  const r = await play([touchKeyed({ path }), appendIfExists({ path, line: 'x' }) as never, touchKeyed({ path: join(d, 'z') })]);
  t.deepEqual(r.statuses, ['changed', 'changed', 'changed']);
  t.is(readFileSync(path, 'utf8'), 'x\n');
  t.is(r.execs, 4, 'facts; touch + fresh facts; the append (may change anything) + fresh facts; the last touch');
});

test('a failure inside a batch: earlier changes stay applied and reported, later ones never run', async (t) => {
  const d = dir();
  const failKeyed = defineTask<Record<string, never>, Record<string, never>, unknown>({ ...failing.type, name: 'test.failKeyed', touches: () => ['fail'] });
  const r = await play([touchKeyed({ path: join(d, 'a') }), failKeyed({}) as never, touchKeyed({ path: join(d, 'b') })]);
  t.false(r.ok);
  t.deepEqual(r.statuses, ['changed', 'failed']);
  t.regex(r.results[1].error!.message, /exit 9/);
  t.true(existsSync(join(d, 'a')));
  t.false(existsSync(join(d, 'b')));
  t.is(r.execs, 2);
  t.deepEqual(r.order, [`start ${join(d, 'a')}`, `done ${join(d, 'a')}`, 'start fails', 'done fails']);
});

/** `touch` whose existence fact is grouped: one `test` per path, but one step (logged) for all of them. */
const groupLog = join(dir(), 'group.log');
const existsGroup = (path: string) => ({
  kind: 'test.exists',
  arg: path,
  command: (args: unknown[]) => `echo ${args.length} >> ${quote(groupLog)}; ${args.map((a) => `if test -e ${quote(String(a))}; then echo y; else echo n; fi`).join('; ')}`,
  split: (out: { stdout: string }, args: unknown[]) => out.stdout.trim().split('\n').slice(0, args.length).map((l) => ({ stdout: l, stderr: '', code: l === 'y' ? 0 : 1 })),
});
const touchGrouped = defineTask<{ path: string }, { exists: boolean }, unknown>({
  ...touchKeyed.type,
  name: 'test.touchGrouped',
  facts: (o) => ({ exists: { command: `test -e ${quote(o.path)}`, parse: (r) => r.code === 0, group: existsGroup(o.path) } }),
});

test.serial('grouped facts of one kind are read by one step and split back to each task', async (t) => {
  const d = dir();
  writeFileSync(join(d, 'b'), '');
  writeFileSync(groupLog, '');
  const tasks = ['a', 'b', 'c'].map((f) => touchGrouped({ path: join(d, f) }));
  const r = await play([...tasks, touch({ path: join(d, 'd') })]);
  t.deepEqual(r.statuses, ['changed', 'ok', 'changed', 'changed']);
  t.is(readFileSync(groupLog, 'utf8'), '3\n', 'one grouped step for the three paths');
  writeFileSync(groupLog, '');
  const again = await play([...tasks, touch({ path: join(d, 'd') })]);
  t.deepEqual(again.statuses, ['ok', 'ok', 'ok', 'ok']);
  t.is(again.execs, 1);
});

test.serial('a group whose output cannot be split fails its members with the output', async (t) => {
  const d = dir();
  const broken = defineTask<{ path: string }, { exists: boolean }, unknown>({
    ...touchGrouped.type,
    name: 'test.broken',
    facts: (o) => ({ exists: { command: 'true', parse: (r) => { if (r.code !== 0) throw new Error(r.stderr); return true; }, group: { ...existsGroup(o.path), command: () => 'echo boom >&2; exit 3' } } }),
  });
  const r = await play([broken({ path: join(d, 'a') }), broken({ path: join(d, 'b') })]);
  t.false(r.ok);
  t.deepEqual(r.statuses, ['failed']);
  t.regex(r.results[0].error!.message, /boom/);
});

test('a task that may change anything closes the batch: applied with it, and the next task reads afresh', async (t) => {
  const d = dir();
  const path = join(d, 'conf');
  // reads only its own path, but its apply could touch anything (a guarded command)
  const closer = defineTask<{ path: string }, { exists: boolean }, unknown>({ ...touchKeyed.type, name: 'test.closer', changesAnything: () => true });
  const r = await play([touchKeyed({ path: join(d, 'a') }), closer({ path }) as never, appendKeyed({ path, line: 'k' }) as never]);
  t.deepEqual(r.statuses, ['changed', 'changed', 'changed'], 'the append saw the file the closer made');
  t.is(readFileSync(path, 'utf8'), 'k\n');
  t.is(r.execs, 3, 'facts; touch + closer + the append\'s fresh facts; the append');
});

/** `touch` whose apply joins the commands of its kind around it: one `touch` (logged) for all of them. */
const touchLog = join(dir(), 'touch.log');
const touchGroup = {
  kind: 'test.touch',
  script: (args: unknown[], mark: (i: number) => string) =>
    [`echo ${args.length} >> ${quote(touchLog)}`, ...args.map((a, i) => `${mark(i)}\ntouch ${quote(String(a))}`)].join('\n'),
};
const touchJoined = defineTask<{ path: string }, { exists: boolean }, unknown>({
  ...touchKeyed.type,
  name: 'test.touchJoined',
  apply: (_p, o) => [{ script: `touch ${quote(o.path)}`, display: `touch ${o.path}`, group: { ...touchGroup, arg: o.path } }],
});

test.serial('consecutive commands of one group kind run as one script; others break the group', async (t) => {
  const d = dir();
  writeFileSync(touchLog, '');
  const r = await play([
    touchJoined({ path: join(d, 'a') }), touchJoined({ path: join(d, 'b') }),
    touchKeyed({ path: join(d, 'c') }),
    touchJoined({ path: join(d, 'd') }), touchJoined({ path: join(d, 'e') }), touchJoined({ path: join(d, 'f') }),
  ]);
  t.deepEqual(r.statuses, Array(6).fill('changed'));
  t.is(r.execs, 2, 'facts, then every change in one exec');
  t.is(readFileSync(touchLog, 'utf8'), '2\n3\n', 'one script for a+b, one for d+e+f');
  for (const f of 'abcdef') t.true(existsSync(join(d, f)));
  writeFileSync(touchLog, '');
  const alone = await play([touchJoined({ path: join(d, 'g') })]);
  t.deepEqual(alone.statuses, ['changed']);
  t.is(readFileSync(touchLog, 'utf8'), '', 'a single command runs its own script');
});

test.serial('a failing group script fails the task of the member it marked last; those before are done', async (t) => {
  const d = dir();
  const r = await play([
    touchJoined({ path: join(d, 'a') }),
    touchJoined({ path: join(d, 'missing', 'b') }),
    touchJoined({ path: join(d, 'c') }),
  ]);
  t.false(r.ok);
  t.deepEqual(r.statuses, ['changed', 'failed']);
  t.is(r.results[1].title, join(d, 'missing', 'b'));
  t.regex(r.results[1].error!.message, /missing/);
  t.true(existsSync(join(d, 'a')));
  t.false(existsSync(join(d, 'c')));
});

/** Writes who runs it and their HOME into a file, once: its fact is whether the file exists. */
const whoTo = defineTask<{ path: string }, { exists: boolean }, unknown>({
  name: 'test.who',
  describe: (o) => o.path,
  facts: (o) => ({ exists: { command: `test -e ${quote(o.path)}`, parse: (r) => r.code === 0 } }),
  touches: (o) => [`path:${o.path}`],
  check: (f, o) => (f.exists ? noop('exists') : changes([`write ${o.path}`])),
  apply: (_p, o) => [{ script: `printf '%s %s %s' "$(id -un)" "$HOME" "\${SSH_AUTH_SOCK-none}" > ${quote(o.path)}`, display: `who > ${o.path}` }],
});

test('steps of root and of another user (becomeUser) share execs: the other user’s run through runuser, with its HOME', async (t) => {
  const d = dir();
  chmodSync(d, 0o1777);
  const tasks = [touchKeyed({ path: join(d, 'a') }), whoTo({ path: join(d, 'b'), becomeUser: 'nobody' }), touchKeyed({ path: join(d, 'c') })];
  const r = await play(tasks);
  t.deepEqual(r.statuses, ['changed', 'changed', 'changed']);
  t.is(r.execs, 2, 'facts of both users in one exec, changes of both in one more');
  t.is(readFileSync(join(d, 'b'), 'utf8'), `nobody ${execFileSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).split(':')[5]} none`);
  t.is(statSync(join(d, 'b')).uid, 65534, 'written by nobody');
  const again = await play(tasks);
  t.deepEqual(again.statuses, ['ok', 'ok', 'ok']);
  t.is(again.execs, 1);
});

test('the last exec of a list reads the next list’s first facts, after its changes; late facts are not read ahead', async (t) => {
  const d = dir();
  const a = join(d, 'a');
  const log = join(d, 'log');
  const conn = new LocalConnection();
  const carried = new Map();
  const quiet = { start: () => {}, done: () => {} };
  const next = [appendIfExists({ path: a, line: 'k=1' }), stamp({ log }) as never];
  t.true(await runTasks(conn, [touch({ path: a })], host, quiet, { next, carried }));
  t.is(conn.stats.execs, 2, 'facts (this list’s and the next’s), then the change with the next list’s facts read again');
  t.false(existsSync(log), 'a late fact waits for its own list');
  const statuses: string[] = [];
  t.true(await runTasks(conn, next, host, { start: () => {}, done: (_t, r) => void statuses.push(r.status) }, { carried }));
  t.deepEqual(statuses, ['changed', 'ok'], 'planned from facts read after the file was made');
  t.is(conn.stats.execs, 3, 'the next list: its change, with the late fact read after it');
  t.is(readFileSync(a, 'utf8'), 'k=1\n');
});
