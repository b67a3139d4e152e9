import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetRun, runFileText } from '../test/helpers/fleet-run.js';
import { historyCommand, type HistoryArgs } from './history-command.js';
import { formatHistory, historyEntry, outcomeSummary } from './history.js';
import { parseLogLine, type AuditRead } from './host-audit.js';
import { runsDir } from './run-log.js';

function projectWith(...runs: ReturnType<typeof fleetRun>[]) {
  const root = mkdtempSync(join(tmpdir(), 'rb-history-'));
  mkdirSync(runsDir(root), { recursive: true });
  for (const r of runs) writeFileSync(join(runsDir(root), `${r.header.run}.ndjson`), runFileText(r));
  return root;
}
const noHosts = async (): Promise<AuditRead> => ({ events: [], unread: {} });
const history = async (root: string, env: string, args: Partial<HistoryArgs> = {}, readHosts = noHosts) => {
  let out = '';
  await historyCommand(root, env, { json: false, local: false, ...args }, readHosts, (s) => void (out += s));
  return out;
};

test('runs of the env, newest first: when, who, playbook, release, exit and the result per host', async (t) => {
  const root = projectWith(
    fleetRun({ hosts: 3, run: '20261201T090000Z-000001', release: '20261201T090000Z' }),
    fleetRun({ hosts: 3, run: '20261203T090000Z-000002', env: 'stg' }),
    fleetRun({ hosts: 2, run: '20261204T120000Z-000003', playbook: 'configure', release: '20261201T090000Z' }),
  );
  const lines = (await history(root, 'prod')).trimEnd().split('\n');
  t.is(lines.length, 3, lines.join('\n'));
  t.regex(lines[0], /^WHEN \(UTC\) +WHO +PLAYBOOK +RELEASE +EXIT +HOSTS$/);
  t.regex(lines[1], /^2026-12-04 12:00:00 +ann@laptop +configure +20261201T090000Z +exit 0 +changed: web-1, web-2$/);
  t.regex(lines[2], /^2026-12-01 09:00:00 +ann@laptop +deploy +20261201T090000Z +exit 0 +changed: web-1, web-2, web-3$/);
});

test('--last N keeps the newest N; a bad N is a usage error, and --limit N says that --limit selects hosts', async (t) => {
  const root = projectWith(...[1, 2, 3, 4].map((d) => fleetRun({ hosts: 1, run: `2026120${d}T090000Z-00000${d}` })));
  const lines = (await history(root, 'prod', { last: '2' })).trimEnd().split('\n');
  t.is(lines.length, 3);
  t.regex(lines[1], /^2026-12-04/);
  t.regex(lines[2], /^2026-12-03/);
  await t.throwsAsync(history(root, 'prod', { last: 'web-1' }), { message: /--last expects a number of runs ≥ 1, got "web-1"/ });
  await t.throwsAsync(history(root, 'prod', { limit: '5' }), { message: /--limit selects hosts, as in every command, got "5"; the number of runs is --last 5/ });
});

test('at 50 hosts the usual outcome is a count; failed and unreachable hosts are named; a killed run shows as interrupted', (t) => {
  const e = historyEntry(fleetRun({ hosts: 50 }));
  t.is(outcomeSummary(e.hosts), 'changed: 47 hosts; failed: web-4, web-49; unreachable: web-6');
  t.deepEqual(e.releases, ['20261205T101500Z']);
  const killed = historyEntry(fleetRun({ hosts: 50, finished: false }));
  t.is(killed.exitCode, undefined);
  t.regex(formatHistory([killed]), /interrupted +changed: 47 hosts; failed: web-4, web-49; unreachable: web-6$/m, 'the recap event still gives the hosts');
});

test('no runs: a sentence, not an empty table; --json gives one object per run', async (t) => {
  t.is(await history(projectWith(), 'prod'), 'no runs recorded for this env yet\n');
  const root = projectWith(fleetRun({ hosts: 2 }));
  const json = (await history(root, 'prod', { json: true })).trim().split('\n').map((l) => JSON.parse(l));
  t.is(json.length, 1);
  t.like(json[0], { source: 'here', run: '20261205T101500Z-a1b2c3', who: 'ann@laptop', commit: '3f9a1c0d2b', playbook: 'deploy', exitCode: 0, hosts: { 'web-1': 'changed' } });
});

/** the audit lines the app plugin writes, as one host's `deploy.log` would hold them */
const audit = (host: string, ...lines: string[]): AuditRead['events'] =>
  lines.map((l) => ({ host, root: '/srv/shop', ...parseLogLine(l)! }));

test('a deploy from another machine is listed from the hosts, marked elsewhere; this machine’s deploy once; unread hosts named', async (t) => {
  const root = projectWith(fleetRun({ hosts: 2, run: '20261205T101500Z-a1b2c3' }));
  const readHosts = async (): Promise<AuditRead> => ({
    events: [
      // this machine's run, as both hosts recorded it (planned a second after the run file opened)
      ...['web-1', 'web-2'].flatMap((h) => audit(h, '2026-12-05T10:15:01.200Z ann@laptop deploy 20261205T101500Z ok commit=3f9a1c0')),
      ...audit('web-1', '2026-12-06T08:00:02.000Z bob@ci-runner deploy 20261206T080000Z-9f8e7d ok commit=77aa01b'),
      ...audit('web-2', '2026-12-06T08:00:02.400Z bob@ci-runner deploy 20261206T080000Z-9f8e7d failed'),
    ],
    unread: { 'web-3': 'connect ECONNREFUSED 10.77.0.9:22' },
  });
  const lines = (await history(root, 'prod', {}, readHosts)).trimEnd().split('\n');
  t.is(lines.length, 6, lines.join('\n'));
  t.regex(lines[1], /^2026-12-06 08:00:02 +bob@ci-runner +deploy +20261206T080000Z-9f8e7d +elsewhere +ok: web-1; failed: web-2$/);
  t.regex(lines[2], /^2026-12-05 10:15:00 +ann@laptop +deploy +20261205T101500Z +exit 0 +changed: web-1, web-2$/);
  t.regex(lines[4], /^elsewhere: read from the hosts/);
  t.is(lines[5], 'not read: web-3: connect ECONNREFUSED 10.77.0.9:22');

  const json = (await history(root, 'prod', { json: true }, readHosts)).trim().split('\n').map((l) => JSON.parse(l));
  t.is(json.length, 3);
  t.like(json[0], { source: 'hosts', who: 'bob@ci-runner', playbook: 'deploy', releases: ['20261206T080000Z-9f8e7d'], hosts: { 'web-1': 'ok', 'web-2': 'failed' } });
  t.false('exitCode' in json[0]);
  t.like(json[2], { type: 'unread', hosts: { 'web-3': 'connect ECONNREFUSED 10.77.0.9:22' } });
});

test('--local reads no host', async (t) => {
  const root = projectWith(fleetRun({ hosts: 2 }));
  const out = await history(root, 'prod', { local: true }, async () => t.fail('a host was read') as never);
  t.regex(out, /ann@laptop/);
});
