/** The runner's flow on local connections: handlers, tags, failures, --max-fail, --check. */
import test from 'ava';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from './local-connection.js';
import { quote } from './quote.js';
import { runPlaybook, type RunHost } from './runner.js';
import { changes, defineTask } from './task.js';
import { touch, touchKeyed } from '../test/fixture-tasks.js';
import type { RunEvent } from './events.js';

const append = defineTask<{ path: string; text: string }, Record<string, never>, unknown>({
  name: 'test.append',
  describe: (o) => o.path,
  facts: () => ({}),
  check: (_f, o) => changes([`append to ${o.path}`]),
  apply: (_p, o) => [{ script: `echo ${quote(o.text)} >> ${quote(o.path)}`, display: 'append' }],
});
const fail = defineTask<{ when?: boolean }, Record<string, never>, unknown>({
  name: 'test.fail',
  describe: () => 'fails',
  facts: () => ({}),
  check: () => changes(['fail']),
  apply: () => [{ script: 'echo boom >&2; exit 5', display: 'boom' }],
});

const host = (alias: string): RunHost => ({ alias, hostname: 'localhost', user: 'root', groups: ['all'], vars: {}, env: 'test' });

async function play(phases: any, hosts: RunHost[], extra: Record<string, unknown> = {}) {
  const events: RunEvent[] = [];
  const result = await runPlaybook({
    playbook: { name: 'flow', phases },
    context: { env: 'test', config: {} as never },
    hosts,
    connect: async (h) => new LocalConnection(h.alias),
    emit: (e) => events.push(e),
    ...extra,
  });
  return { result, events, tasks: events.filter((e) => e.type === 'task') as Extract<RunEvent, { type: 'task' }>[] };
}

test('a handler runs once at the end of the phase, after every notifying task, only on change', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-flow-'));
  const log = join(dir, 'log');
  const phases = [{
    name: 'p',
    tasks: [
      touch({ path: join(dir, 'a'), notify: 'note' }),
      touch({ path: join(dir, 'b'), notify: 'note' }),
      append({ path: log, text: 'task' }),
    ],
    handlers: { note: append({ path: log, text: 'handler' }) },
  }];
  await play(phases, [host('h1')]);
  t.is(readFileSync(log, 'utf8'), 'task\nhandler\n');
  const second = await play(phases, [host('h1')]);
  t.is(readFileSync(log, 'utf8'), 'task\nhandler\ntask\n', 'no change, no handler');
  t.false(second.tasks.some((e) => e.handler));
});

/** `append` that declares it reads nothing and may change anything, like a command run `always`. */
const appendAlways = defineTask<{ path: string; text: string }, Record<string, never>, unknown>({
  ...append.type, name: 'test.appendAlways', touches: () => [], changesAnything: () => true,
});

test('a handler without facts joins the last changes: a first run costs two execs; a failure keeps it from running', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-flow-'));
  const log = join(dir, 'log');
  const phases = (extra: unknown[] = []) => [{
    name: 'p',
    tasks: [touchKeyed({ path: join(dir, 'a'), notify: 'note' }), touchKeyed({ path: join(dir, 'b') }), ...extra],
    handlers: { note: appendAlways({ path: log, text: 'handler' }) },
  }];
  const first = await play(phases(), [host('h1')]);
  t.is(first.result.recap.h1.execs, 2, 'facts, then both changes and the handler');
  t.is(readFileSync(log, 'utf8'), 'handler\n');
  t.deepEqual(first.tasks.map((e) => [e.title, e.status, Boolean(e.handler)]), [
    [join(dir, 'a'), 'changed', false], [join(dir, 'b'), 'changed', false], ['note', 'changed', true],
  ]);
  const again = await play(phases(), [host('h1')]);
  t.is(again.result.recap.h1.execs, 1);
  t.false(again.tasks.some((e) => e.handler));

  const d2 = mkdtempSync(join(tmpdir(), 'rb-flow-'));
  const failing = await play([{
    name: 'p',
    tasks: [touchKeyed({ path: join(d2, 'a'), notify: 'note' }), fail({})],
    handlers: { note: appendAlways({ path: join(d2, 'log'), text: 'handler' }) },
  }], [host('h1')]);
  t.is(failing.result.exitCode, 1);
  t.false(existsSync(join(d2, 'log')), 'no handler after a failed task');
});

test('--tags and --skip-tags select tasks; a failed task stops that host only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-flow-'));
  const phases = (h: string) => [{
    name: 'p',
    tasks: (hi: { alias: string }) => [
      touch({ path: join(dir, `${hi.alias}-web`), tags: ['web'] }),
      ...(hi.alias === h ? [fail({})] : []),
      touch({ path: join(dir, `${hi.alias}-db`), tags: ['db'] }),
    ],
  }];
  const { result, tasks } = await play(phases('h1'), [host('h1'), host('h2')], { skipTags: ['web'] });
  t.is(result.exitCode, 1);
  t.false(existsSync(join(dir, 'h1-web')));
  t.false(existsSync(join(dir, 'h1-db')), 'h1 stopped at its failure');
  t.true(existsSync(join(dir, 'h2-db')), 'h2 went on');
  t.regex(tasks.find((e) => e.status === 'failed')!.error!.message, /boom.*exit 5.*boom|boom failed \(exit 5\): boom/);
});

test('--max-fail stops the next batches once too many hosts failed', async (t) => {
  const phases = [{ name: 'p', tasks: [fail({})] }];
  const { result, events } = await play(phases, [host('h1'), host('h2'), host('h3'), host('h4')], { serial: '1', maxFail: '20%' });
  t.truthy(result.aborted);
  // h1 fails: 1 of 4 hosts is 25% > 20%, so no later batch starts
  t.is(events.filter((e) => e.type === 'task').length, 1);
  t.deepEqual(Object.values(result.recap).map((r) => r.failed), [1, 0, 0, 0]);
});

test('--check reports changes, applies nothing, and exits 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-flow-'));
  const { result } = await play([{ name: 'p', tasks: [touch({ path: join(dir, 'x') })] }], [host('h1')], { check: true });
  t.is(result.exitCode, 2);
  t.false(existsSync(join(dir, 'x')));
});

test('a notify without a handler is a playbook error before anything runs', async (t) => {
  await t.throwsAsync(play([{ name: 'p', tasks: [touch({ path: '/nonexistent/x', notify: 'nope' })] }], [host('h1')]), { message: /notifies "nope"/ });
});

test('a host with no task in the playbook (its plugins placed elsewhere) is not connected; the others run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-flow-'));
  const connected: string[] = [];
  const phases = [{ name: 'p', tasks: (h: { alias: string }) => (h.alias === 'data' ? [] : [touch({ path: join(dir, h.alias) })]) }];
  const { result, events } = await play(phases, [host('web'), host('data')], {
    connect: async (h: RunHost) => (connected.push(h.alias), new LocalConnection(h.alias)),
  });
  t.is(result.exitCode, 0);
  t.deepEqual(connected, ['web']);
  t.true(existsSync(join(dir, 'web')));
  t.deepEqual(events.filter((e) => e.type === 'host' && e.host === 'data').map((e) => e.type === 'host' && e.status), ['idle'], 'its one event: idle');
  t.like(result.recap.data, { ok: 0, changed: 0, failed: 0, unreachable: false });
});
