import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetRun, runFileText } from '../test/helpers/fleet-run.js';
import { historyCommand } from './history-command.js';
import { formatHistory, historyEntry, outcomeSummary } from './history.js';
import { runsDir } from './run-log.js';

function projectWith(...runs: ReturnType<typeof fleetRun>[]) {
  const root = mkdtempSync(join(tmpdir(), 'rb-history-'));
  mkdirSync(runsDir(root), { recursive: true });
  for (const r of runs) writeFileSync(join(runsDir(root), `${r.header.run}.ndjson`), runFileText(r));
  return root;
}
const history = (root: string, env: string, args: { limit?: string; json?: boolean } = {}) => {
  let out = '';
  historyCommand(root, env, { json: false, ...args }, (s) => void (out += s));
  return out;
};

test('runs of the env, newest first: when, who, playbook, release, exit and the result per host', (t) => {
  const root = projectWith(
    fleetRun({ hosts: 3, run: '20261201T090000Z-000001', release: '20261201T090000Z' }),
    fleetRun({ hosts: 3, run: '20261203T090000Z-000002', env: 'stg' }),
    fleetRun({ hosts: 2, run: '20261204T120000Z-000003', playbook: 'configure', release: '20261201T090000Z' }),
  );
  const lines = history(root, 'prod').trimEnd().split('\n');
  t.is(lines.length, 3, lines.join('\n'));
  t.regex(lines[0], /^WHEN \(UTC\) +WHO +PLAYBOOK +RELEASE +EXIT +HOSTS$/);
  t.regex(lines[1], /^2026-12-04 12:00:00 +ann@laptop +configure +20261201T090000Z +exit 0 +changed: web-1, web-2$/);
  t.regex(lines[2], /^2026-12-01 09:00:00 +ann@laptop +deploy +20261201T090000Z +exit 0 +changed: web-1, web-2, web-3$/);
});

test('--limit N keeps the newest N; a bad N is a usage error', (t) => {
  const root = projectWith(...[1, 2, 3, 4].map((d) => fleetRun({ hosts: 1, run: `2026120${d}T090000Z-00000${d}` })));
  const lines = history(root, 'prod', { limit: '2' }).trimEnd().split('\n');
  t.is(lines.length, 3);
  t.regex(lines[1], /^2026-12-04/);
  t.regex(lines[2], /^2026-12-03/);
  t.throws(() => history(root, 'prod', { limit: 'web-1' }), { message: /--limit expects a number of runs ≥ 1, got "web-1"/ });
});

test('at 50 hosts the usual outcome is a count; failed and unreachable hosts are named; a killed run shows as interrupted', (t) => {
  const e = historyEntry(fleetRun({ hosts: 50 }));
  t.is(outcomeSummary(e.hosts), 'changed: 47 hosts; failed: web-4, web-49; unreachable: web-6');
  t.deepEqual(e.releases, ['20261205T101500Z']);
  const killed = historyEntry(fleetRun({ hosts: 50, finished: false }));
  t.is(killed.exitCode, undefined);
  t.regex(formatHistory([killed]), /interrupted +changed: 47 hosts; failed: web-4, web-49; unreachable: web-6$/m, 'the recap event still gives the hosts');
});

test('no runs: a sentence, not an empty table; --json gives one object per run', (t) => {
  t.is(history(projectWith(), 'prod'), 'no runs recorded for this env yet\n');
  const root = projectWith(fleetRun({ hosts: 2 }));
  const json = history(root, 'prod', { json: true }).trim().split('\n').map((l) => JSON.parse(l));
  t.is(json.length, 1);
  t.like(json[0], { run: '20261205T101500Z-a1b2c3', who: 'ann@laptop', commit: '3f9a1c0d2b', playbook: 'deploy', exitCode: 0, hosts: { 'web-1': 'changed' } });
});
