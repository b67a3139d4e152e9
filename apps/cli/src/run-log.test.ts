import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskedSink, secret } from '@runbook/core';
import { readRunFile } from './run-files.js';
import { argvWithoutExtraValues, openRunLog, runsDir } from './run-log.js';

const project = () => mkdtempSync(join(tmpdir(), 'rb-runlog-'));
const base = { env: 'prod', playbook: 'deploy', hosts: ['web-1', 'web-2'], check: false, who: 'ann@laptop', commit: 'abc123' };
const onlyFile = (root: string) => join(runsDir(root), readdirSync(runsDir(root))[0]);

test('a sentinel secret appears in no line of the run file: events, argv and the result are masked', (t) => {
  const sentinel = `S3nt${Math.random().toString(36).slice(2, 12)}`;
  secret(sentinel, 'SENTINEL');
  const root = project();
  const log = openRunLog({ ...base, root, argv: ['deploy', '--env', 'prod', '-e', `pw=${sentinel}`, '--limit', sentinel, `-epw=${sentinel}`] });
  const emit = maskedSink(log.sink);
  emit({ type: 'task', host: 'web-1', phase: 'p', task: 'file.content', title: '/etc/app.env', status: 'changed', changes: [`write ${sentinel}`], diff: `+KEY=${sentinel}\n`, ms: 3 });
  emit({ type: 'task', host: 'web-2', phase: 'p', task: 'command.run', title: 'x', status: 'failed', error: { code: 'E_COMMAND', message: `failed: ${sentinel}`, stderr: `line ${sentinel}` }, ms: 3 });
  emit({ type: 'recap', hosts: { 'web-1': { ok: 0, changed: 1, failed: 0, skipped: 0, unreachable: false, execs: 1, bytesSent: 1, bytesReceived: 1, ms: 3, state: { release: sentinel } } } });
  log.finish({ exitCode: 1, aborted: `stopped: ${sentinel}`, error: `boom ${sentinel}` });
  const text = readFileSync(onlyFile(root), 'utf8');
  t.false(text.includes(sentinel), text);
  t.true(text.includes('••••••'));
  const f = readRunFile(onlyFile(root))!;
  t.deepEqual(f.header.argv, ['deploy', '--env', 'prod', '-e', '…', '--limit', '••••••', '-e…']);
  t.is(f.events.length, 3);
  t.is(f.result?.exitCode, 1);
  t.deepEqual(Object.keys(f.result!.hosts), ['web-1'], 'the result carries the recap');
});

test('the run file is 0600 in a 0700 directory, named by start time and id, with who, commit and env in its header', (t) => {
  const root = project();
  const log = openRunLog({ ...base, root, argv: ['deploy', '--env', 'prod'], now: () => new Date('2026-12-05T10:15:00.123Z') });
  log.finish({ exitCode: 0 });
  t.is(statSync(runsDir(root)).mode & 0o777, 0o700);
  t.is(statSync(log.path()!).mode & 0o777, 0o600);
  t.regex(log.path()!, /runs\/20261205T101500Z-[0-9a-f]{6}\.ndjson$/);
  const f = readRunFile(log.path()!)!;
  t.like(f.header, { who: 'ann@laptop', commit: 'abc123', env: 'prod', playbook: 'deploy', hosts: ['web-1', 'web-2'], startedAt: '2026-12-05T10:15:00.123Z' });
});

test('an interrupted run’s file already has its events: each is on disk once emitted; a cut-off last line is ignored', (t) => {
  const root = project();
  const log = openRunLog({ ...base, root, argv: ['deploy'] });
  log.sink({ type: 'task', host: 'web-1', phase: 'p', task: 'app.lock', title: 'lock', status: 'changed', ms: 1 });
  log.sink({ type: 'task:start', host: 'web-1', phase: 'p', task: 'app.code', title: 'code' }); // not a --json event
  // the process dies here (kill -9, a second Ctrl-C): finish never runs
  const path = log.path()!;
  writeFileSync(path, readFileSync(path, 'utf8') + '{"type":"task","host":"web-', { flag: 'w' });
  const f = readRunFile(path)!;
  t.is(f.events.length, 1);
  t.like(f.events[0], { type: 'task', task: 'app.lock' });
  t.is(f.result, undefined);
});

test('a run file that cannot be written warns once and never throws into the run', (t) => {
  const root = project();
  writeFileSync(join(root, '.runbook'), 'a file where the directory should be');
  const warnings: string[] = [];
  const log = openRunLog({ ...base, root, argv: ['deploy'], warn: (s) => void warnings.push(s) });
  t.notThrows(() => {
    log.sink({ type: 'task', host: 'web-1', phase: 'p', task: 't', title: 't', status: 'ok', ms: 1 });
    log.finish({ exitCode: 0 });
  });
  t.is(warnings.length, 1);
  t.regex(warnings[0], /run: warning: the run file .*\.runbook\/runs\/.* cannot be written .*the run goes on without it/);
  t.is(log.path(), undefined);
});

test('-e values are left out of the recorded argv in every spelling', (t) => {
  t.deepEqual(argvWithoutExtraValues(['deploy', '-e', 'a=1', '--extra-vars', 'b=2', '--extra-vars=c=3', '-ed=4', '--env', 'prod']),
    ['deploy', '-e', '…', '--extra-vars', '…', '--extra-vars=…', '-e…', '--env', 'prod']);
});
