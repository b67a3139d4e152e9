import test from 'ava';
import type { RunEvent } from '@runbook/core';
import { groupRecap, hostList, summarizeTasks } from './task-summary.js';

type TaskEvent = Extract<RunEvent, { type: 'task' }>;
const ev = (host: string, over: Partial<TaskEvent>): TaskEvent => ({
  type: 'task', host, phase: 'configure', task: 'file.content', title: '/etc/app.conf', status: 'changed', changes: ['create /etc/app.conf'], ms: 1, ...over,
});

test('the same change on 50 hosts is one line naming the host count', (t) => {
  const hosts = Array.from({ length: 50 }, (_, i) => `web${i + 1}`);
  const lines = summarizeTasks(hosts.map((h) => ev(h, {})));
  t.is(lines.length, 1);
  t.is(lines[0].hosts.length, 50);
  t.is(hostList(lines[0].hosts, 50), 'all 50 hosts');
});

test('different changes, failures and diffs stay apart; ok and skipped are left out', (t) => {
  const lines = summarizeTasks([
    ev('a', {}),
    ev('b', { changes: ['mode 0600 → 0644'] }),
    ev('c', {}),
    ev('d', { status: 'ok', changes: undefined, reason: 'same content' }),
    ev('e', { status: 'failed', changes: undefined, error: { code: 'E_COMMAND', message: 'exit 1', stderr: 'disk full' } }),
    ev('f', { title: '/etc/other.conf', diff: '+x' }),
    ev('g', { title: '/etc/other.conf', diff: '+y' }),
  ]);
  t.deepEqual(lines.map((l) => [l.kind, l.title, l.detail, l.hosts.join(',')]), [
    ['changed', '/etc/app.conf', 'create /etc/app.conf', 'a,c'],
    ['changed', '/etc/app.conf', 'mode 0600 → 0644', 'b'],
    ['failed', '/etc/app.conf', 'exit 1', 'e'],
    ['changed', '/etc/other.conf', 'create /etc/app.conf', 'f'],
    ['changed', '/etc/other.conf', 'create /etc/app.conf', 'g'],
  ]);
  t.is(lines[2].stderr, 'disk full');
});

test('hostList names a few hosts and counts the rest', (t) => {
  t.is(hostList(['a', 'b'], 3), 'a, b');
  t.is(hostList(['a'], 1), 'a');
  t.is(hostList(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 9), 'a, b, c, d, e +2 more');
});

test('variants of one task stay under it, in task order', (t) => {
  const lines = summarizeTasks([ev('a', { changes: ['x'] }), ev('a', { title: '/b' }), ev('b', { changes: ['y'] }), ev('b', { title: '/b' })]);
  t.deepEqual(lines.map((l) => `${l.title}:${l.detail}`), ['/etc/app.conf:x', '/etc/app.conf:y', '/b:create /etc/app.conf']);
});

test('groupRecap: hosts with the same counts share a line, with the time range', (t) => {
  const r = (changed: number, ms: number) => ({ ok: 1, changed, failed: 0, skipped: 0, unreachable: false, execs: 1, bytesSent: 0, bytesReceived: 0, ms });
  const groups = groupRecap({ a: r(2, 100), b: r(2, 300), c: r(0, 50) });
  t.deepEqual(groups.map((g) => [g.hosts.join(','), g.minMs, g.maxMs]), [['a,b', 100, 300], ['c', 50, 50]]);
  t.regex(groups[0].counts, /changed=2/);
});
