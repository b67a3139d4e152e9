import test from 'ava';
import { auditEntries, mergeHistory } from './history-merge.js';
import type { HistoryEntry } from './history.js';
import type { AuditEvent } from './host-audit.js';

const ev = (host: string, time: string, who: string, action: string, release: string, status: string, root = '/srv/shop'): AuditEvent =>
  ({ host, root, time, who, action, release, status });
const local = (startedAt: string, endedAt: string, more: Partial<HistoryEntry> = {}): HistoryEntry => ({
  source: 'here', run: `${startedAt}-run`, startedAt, endedAt, who: 'ann@laptop', playbook: 'deploy', check: false,
  releases: ['R1'], exitCode: 0, hosts: { 'web-1': 'changed', 'web-2': 'changed' }, ...more,
});

test('the hosts of one deploy make one entry, its time the earliest host’s, a result per host', (t) => {
  const [e] = auditEntries([
    ev('web-2', '2026-12-06T08:00:02.400Z', 'bob@ci', 'deploy', 'R2', 'failed'),
    ev('web-1', '2026-12-06T08:00:02.000Z', 'bob@ci', 'deploy', 'R2', 'ok'),
  ]);
  t.deepEqual(e, {
    source: 'hosts', startedAt: '2026-12-06T08:00:02.000Z', who: 'bob@ci', playbook: 'deploy', check: false, releases: ['R2'],
    hosts: { 'web-2': 'failed', 'web-1': 'ok' },
  });
});

test('two apps of a host: the host’s result is the worse of the two', (t) => {
  const [e] = auditEntries([
    ev('web-1', '2026-12-06T08:00:02Z', 'bob@ci', 'deploy', 'R2', 'failed', '/srv/shop'),
    ev('web-1', '2026-12-06T08:00:02Z', 'bob@ci', 'deploy', 'R2', 'ok', '/srv/blog'),
  ]);
  t.deepEqual(e.hosts, { 'web-1': 'failed' });
});

test('a rollback names the release it left; runs by different people or of different releases stay apart', (t) => {
  const entries = auditEntries([
    ev('web-1', '2026-12-06T09:00:00Z', 'bob@ci', 'rollback', 'R2', 'rolled-back'),
    ev('web-1', '2026-12-06T08:00:00Z', 'bob@ci', 'deploy', 'R2', 'ok'),
    ev('web-1', '2026-12-06T07:00:00Z', 'cy@desk', 'deploy', 'R1', 'ok'),
  ]);
  t.is(entries.length, 3);
  t.like(entries[0], { playbook: 'rollback', releases: [], rolledBack: ['R2'], hosts: { 'web-1': 'rolled back' } });
});

test('a deploy this machine ran (same who and playbook, recorded while its run was open) is shown once, from the run file', (t) => {
  const mine = local('2026-12-06T08:00:00.000Z', '2026-12-06T08:01:30.000Z');
  const fromHosts = auditEntries([ev('web-1', '2026-12-06T08:00:01.300Z', 'ann@laptop', 'deploy', 'R1', 'ok')]);
  t.deepEqual(mergeHistory([mine], fromHosts, 20), [mine]);
});

test('the same who at another time, another who at the same time, or a --check run: listed from the hosts', (t) => {
  const mine = local('2026-12-06T08:00:00.000Z', '2026-12-06T08:01:30.000Z');
  const check = local('2026-12-06T10:00:00.000Z', '2026-12-06T10:00:20.000Z', { check: true });
  const fromHosts = auditEntries([
    ev('web-1', '2026-12-06T09:00:00Z', 'ann@laptop', 'deploy', 'R3', 'ok'), // another project directory, an hour later
    ev('web-1', '2026-12-06T08:00:05Z', 'bob@ci', 'deploy', 'R4', 'ok'),
    ev('web-1', '2026-12-06T10:00:05Z', 'ann@laptop', 'deploy', 'R5', 'ok'),
  ]);
  const merged = mergeHistory([check, mine], fromHosts, 20);
  t.deepEqual(merged.map((e) => `${e.source} ${e.releases.join()}`), ['hosts R5', 'here R1', 'hosts R3', 'hosts R4', 'here R1']);
});

test('a killed run (no end) matches what the hosts recorded within the hour after its start; the list keeps the newest N', (t) => {
  const killed = local('2026-12-06T08:00:00.000Z', '', { endedAt: undefined, exitCode: undefined });
  const fromHosts = auditEntries([
    ev('web-1', '2026-12-06T08:20:00Z', 'ann@laptop', 'deploy', 'R1', 'failed'),
    ev('web-1', '2026-12-06T07:00:00Z', 'bob@ci', 'deploy', 'R0', 'ok'),
  ]);
  t.deepEqual(mergeHistory([killed], fromHosts, 20).map((e) => e.source), ['here', 'hosts']);
  t.deepEqual(mergeHistory([killed], fromHosts, 1), [killed]);
});
