/** The fleet runner on local connections: barriers between stages, once-stages, all-or-nothing, rolling batches. */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from './connection.js';
import { errors } from './errors.js';
import type { RunEvent } from './events.js';
import { LocalConnection } from './local-connection.js';
import type { Phase, Stage } from './playbook.js';
import { quote } from './quote.js';
import { runPlaybook, type RunHost } from './runner.js';
import { changes, defineTask } from './task.js';

/** appends `<host> <what>` to a log shared by every host: the order of the fleet's steps */
const step = defineTask<{ log: string; line: string; fail?: boolean; sleep?: number }, Record<string, never>, unknown>({
  name: 'test.step',
  describe: (o) => o.line,
  facts: () => ({}),
  check: (_f, o) => changes([o.line]),
  apply: (_p, o) => [{
    script: `${o.sleep ? `sleep ${o.sleep}\n` : ''}echo ${quote(o.line)} >> ${quote(o.log)}${o.fail ? '\necho broken >&2; exit 3' : ''}`,
    display: o.line,
  }],
});

const host = (alias: string, groups: string[] = []): RunHost => ({ alias, hostname: 'localhost', user: 'root', groups: ['all', ...groups], vars: {}, env: 'test' });

function deployLike(log: string, failAt?: { host: string; stage: string }): Phase {
  const s = (name: string, extra: Partial<Stage> = {}): Stage => ({
    name,
    tasks: (h) => [step({ log, line: `${h.alias} ${name}`, fail: failAt?.host === h.alias && failAt.stage === name, sleep: name === 'build' && h.alias === 'h1' ? 0.2 : 0 })],
    ...extra,
  });
  return {
    name: 'deploy',
    stages: [s('lock'), s('build'), s('migrate', { once: true }), s('switch', { rolling: true }), s('verify', { rolling: true }), s('finish')],
    rescue: (h) => [step({ log, line: `${h.alias} rescue` })],
    always: (h) => [step({ log, line: `${h.alias} unlock` })],
  };
}

async function play(phase: Phase, hosts: RunHost[], extra: Record<string, unknown> = {}) {
  const events: RunEvent[] = [];
  const result = await runPlaybook({
    playbook: { name: 'deploy', phases: [phase] },
    context: { env: 'test', config: {} as never },
    hosts,
    connect: async (h) => new LocalConnection(h.alias),
    emit: (e) => events.push(e),
    ...extra,
  });
  return { result, events };
}

const lines = (log: string) => readFileSync(log, 'utf8').trim().split('\n');
const newLog = () => join(mkdtempSync(join(tmpdir(), 'rb-fleet-')), 'log');
const stageOf = (line: string) => line.split(' ')[1];

test('barriers before a once-stage, the switch and the post stages: every host is through before any goes on; migrate runs once', async (t) => {
  const log = newLog();
  const { result } = await play(deployLike(log), [host('h1'), host('h2'), host('h3')]);
  t.is(result.exitCode, 0);
  const all = lines(log);
  const order = all.map(stageOf);
  // h1 builds slowly: still no host migrates or switches before its build is done
  t.deepEqual(order.slice(0, 6).sort(), ['build', 'build', 'build', 'lock', 'lock', 'lock']);
  t.is(order[6], 'migrate');
  t.deepEqual(order.slice(7, 13).sort(), ['switch', 'switch', 'switch', 'verify', 'verify', 'verify']);
  t.deepEqual(order.slice(13), ['finish', 'finish', 'finish', 'unlock', 'unlock', 'unlock']);
  // lock and build (no barrier between them) are one list per host, in order; so are switch and verify
  for (const h of ['h1', 'h2', 'h3']) {
    t.true(all.indexOf(`${h} lock`) < all.indexOf(`${h} build`));
    t.true(all.indexOf(`${h} switch`) < all.indexOf(`${h} verify`));
  }
  t.deepEqual(lines(log).filter((l) => l.endsWith('migrate')), ['h1 migrate']);
});

test('a build that fails on one host: no host switches, every host runs its rescue and unlocks', async (t) => {
  const log = newLog();
  const { result, events } = await play(deployLike(log, { host: 'h2', stage: 'build' }), [host('h1'), host('h2'), host('h3')]);
  t.is(result.exitCode, 1);
  const all = lines(log);
  t.false(all.some((l) => /switch|migrate|finish/.test(l)), all.join('\n'));
  for (const h of ['h1', 'h2', 'h3']) {
    t.true(all.includes(`${h} rescue`), `${h} rescued`);
    t.true(all.includes(`${h} unlock`), `${h} unlocked`);
  }
  const aborted = events.find((e) => e.type === 'aborted') as Extract<RunEvent, { type: 'aborted' }>;
  t.regex(aborted.reason, /build failed on h2: no host switches/);
  t.is(events.filter((e) => e.type === 'aborted').length, 1);
});

test('--serial 1: switch and verify batch by batch; a failed batch rolls back every switched host', async (t) => {
  const log = newLog();
  const { result } = await play(deployLike(log, { host: 'h2', stage: 'verify' }), [host('h1'), host('h2'), host('h3')], { serial: '1' });
  t.is(result.exitCode, 1);
  const all = lines(log);
  const after = all.slice(all.indexOf('h1 migrate') + 1);
  t.deepEqual(after.slice(0, 4), ['h1 switch', 'h1 verify', 'h2 switch', 'h2 verify']);
  t.false(all.includes('h3 switch'), 'the batch after the failed one never switches');
  t.false(all.some((l) => l.endsWith('finish')));
  for (const h of ['h1', 'h2', 'h3']) t.true(all.includes(`${h} rescue`) && all.includes(`${h} unlock`), h);
});

test('an unreachable host: no host starts the transaction (all or none), exit 3', async (t) => {
  const log = newLog();
  const { result, events } = await play(deployLike(log), [host('h1'), host('h2')], {
    connect: async (h: RunHost) => {
      if (h.alias === 'h2') throw new Error('connection refused');
      return new LocalConnection(h.alias);
    },
  });
  t.is(result.exitCode, 3);
  t.throws(() => readFileSync(log), undefined, 'nothing ran on h1');
  t.regex((events.find((e) => e.type === 'aborted') as { reason: string }).reason, /h2 could not be reached/);
});

test('a once-stage runs on the first host the primary placement names', async (t) => {
  const log = newLog();
  const phase = deployLike(log);
  phase.stages![2].once = 'db';
  const { result } = await play(phase, [host('h1', ['web']), host('h2', ['web', 'db']), host('h3')]);
  t.is(result.exitCode, 0);
  t.deepEqual(lines(log).filter((l) => l.endsWith('migrate')), ['h2 migrate']);
});

test('a host with no work in the playbook is not connected', async (t) => {
  const log = newLog();
  const connected: string[] = [];
  const phase: Phase = {
    name: 'deploy',
    stages: [{ name: 'build', tasks: (h) => (h.alias === 'data' ? [] : [step({ log, line: `${h.alias} build` })]) }],
  };
  const { result, events } = await play(phase, [host('web'), host('data')], {
    connect: async (h: RunHost) => (connected.push(h.alias), new LocalConnection(h.alias)),
  });
  t.is(result.exitCode, 0);
  t.deepEqual(connected, ['web']);
  t.deepEqual(events.filter((e) => e.type === 'host' && e.host === 'data').map((e) => e.type === 'host' && e.status), ['idle'], 'its one event: idle');
});

test('interrupted during the build: no host starts another stage; every host runs its rescue and unlock', async (t) => {
  const log = newLog();
  const phase = deployLike(log);
  // the signal arrives once a host has built, while h1 still builds (slowly): nobody migrates or switches
  const signal = () => (existsSync(log) && readFileSync(log, 'utf8').includes('build') ? 'SIGINT' : undefined);
  const { result, events } = await play(phase, [host('h1'), host('h2'), host('h3')], { interrupted: signal });
  t.is(result.interrupted, 'SIGINT');
  const all = lines(log);
  t.false(all.some((l) => /migrate|switch|finish/.test(l)), all.join('\n'));
  for (const h of ['h1', 'h2', 'h3']) t.true(all.includes(`${h} rescue`) && all.includes(`${h} unlock`), h);
  t.regex((events.find((e) => e.type === 'aborted') as { reason: string }).reason, /interrupted by SIGINT during build: no host switches/);
});

test('a host whose connection is lost: it reconnects for its rescue and unlock; one that stays away is named', async (t) => {
  const log = newLog();
  const tries: Record<string, number> = {};
  const lostOn = (alias: string): Connection => {
    const conn = new LocalConnection(alias);
    let lost: string | undefined;
    return {
      alias,
      stats: conn.stats,
      get lost() {
        return lost;
      },
      // the connection dies while the host builds: that exec and every one after it fail as on a dropped link
      async exec(cmd, o) {
        if (`${cmd}${o?.stdin ?? ''}`.includes(`${alias} build`)) lost = 'the connection closed';
        if (lost) throw errors.connect(alias, `lost the connection to ${alias}`);
        return conn.exec(cmd, o);
      },
      close: () => conn.close(),
    };
  };
  const { result, events } = await play(deployLike(log), [host('h1'), host('h2'), host('h3')], {
    connect: async (h: RunHost) => {
      tries[h.alias] = (tries[h.alias] ?? 0) + 1;
      if (h.alias === 'h2' && tries.h2 === 1) return lostOn('h2');
      if (h.alias === 'h3' && tries.h3 === 1) return lostOn('h3');
      if (h.alias === 'h3') throw new Error('connection refused');
      return new LocalConnection(h.alias);
    },
  });
  t.is(result.exitCode, 3, 'a lost host is unreachable, not a failed task');
  const all = lines(log);
  t.false(all.some((l) => /switch/.test(l)));
  t.true(all.includes('h2 rescue') && all.includes('h2 unlock'), 'h2 reconnected for its rescue and unlock');
  t.false(all.includes('h3 unlock'));
  t.deepEqual(result.unfinished, ['h3'], 'the host whose unlock could not run is named');
  t.true(events.some((e) => e.type === 'host' && e.host === 'h3' && e.status === 'unreachable'));
});

/** `step` whose facts log when they are read: `<host> facts <stage>` */
const readingStep = defineTask<{ log: string; host: string; stage: string }, { read: boolean }, unknown>({
  name: 'test.readingStep',
  describe: (o) => o.stage,
  facts: (o) => ({ read: { command: `echo ${quote(`${o.host} facts ${o.stage}`)} >> ${quote(o.log)}`, parse: () => true } }),
  check: (_f, o) => changes([o.stage]),
  apply: (_p, o) => [{ script: `echo ${quote(`${o.host} ${o.stage}`)} >> ${quote(o.log)}`, display: o.stage }],
});

test('the last exec of a host’s list reads the facts of the list it runs next (the once-stage only on its host), after its changes', async (t) => {
  const log = newLog();
  const s = (name: string, extra: Partial<Stage> = {}): Stage => ({ name, tasks: (h) => [readingStep({ log, host: h.alias, stage: name })], ...extra });
  const phase: Phase = {
    name: 'deploy',
    stages: [s('lock'), s('build'), s('migrate', { once: true }), s('switch', { rolling: true }), s('verify', { rolling: true }), s('finish')],
    rescue: () => [],
    always: (h) => [readingStep({ log, host: h.alias, stage: 'unlock' })],
  };
  const { result } = await play(phase, [host('h1'), host('h2')]);
  t.is(result.exitCode, 0);
  const all = lines(log);
  // the last read of a list's facts (each change drops those read before it) follows the last change before it
  const after = (h: string, done: string, read: string) => all.lastIndexOf(`${h} facts ${read}`) > all.indexOf(`${h} ${done}`);
  t.true(after('h1', 'build', 'migrate') && after('h1', 'migrate', 'switch') && after('h2', 'build', 'switch'));
  t.true(after('h1', 'finish', 'unlock') && after('h2', 'finish', 'unlock'));
  t.false(all.includes('h2 facts migrate'), 'only the once-stage’s host reads its facts');
  // lock/build: facts, lock, build; (h1: migrate); switch; verify; finish; unlock: one exec per change, no facts exec of their own
  t.is(result.recap.h1.execs, 8);
  t.is(result.recap.h2.execs, 7);
});
