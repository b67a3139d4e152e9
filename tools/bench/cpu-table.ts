/**
 * The bench's second table: where each cell's CPU went (the tool's process tree, the test hosts) and,
 * for Runbook runs with --phases, when the no-op run reached each phase. On this machine the hosts
 * share the control machine's cores, so (tool CPU + hosts CPU) / cores is a floor for the wall time.
 */
import os from 'node:os';

interface Run {
  wall: number; toolCpuS: number; hostsCpuS: number;
  phases?: { firstConnect: number; lastLogin: number; medianConnectMs: number; medianExecMs: number; lastExecEnd: number; exit: number };
}
interface Cell { size: number; variant: string; first: Run[]; noop: Run[] }

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const s = (ms: number) => f2(ms / 1000);

export function cpuRows(cells: Cell[]): string[] {
  const measured = cells.filter((c) => c.first.length && c.noop.length);
  if (!measured.length) return [];
  const cores = os.cpus().length;
  const rows = [
    `Where the CPU went (medians; CPU seconds; floor = (tool + hosts CPU) / ${cores} cores, the least wall time these CPUs allow). `
      + 'Phases of the no-op run (Runbook with --phases; seconds since the process started): first connect = startup (node, CLI, config, inventory); '
      + 'last login = every host connected, host key checked and logged in (the logins wait until every task is planned); last exec end = every host\'s no-op exec done; exit.',
    '',
    '| hosts | tool | no-op s | tool CPU s first / no-op | hosts CPU s first / no-op | floor s no-op | tool CPU ms/host no-op | hosts CPU ms/host no-op | phases no-op: first connect / last login / last exec end / exit | per host: connect / exec ms |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const c of measured) {
    const m = (rs: Run[], f: (r: Run) => number) => median(rs.map(f));
    const tool = [m(c.first, (r) => r.toolCpuS), m(c.noop, (r) => r.toolCpuS)];
    const hosts = [m(c.first, (r) => r.hostsCpuS), m(c.noop, (r) => r.hostsCpuS)];
    const ph = c.noop.filter((r) => r.phases).map((r) => r.phases!);
    const p = (f: (x: NonNullable<Run['phases']>) => number) => median(ph.map(f));
    rows.push(`| ${c.size} | ${c.variant} | ${f2(m(c.noop, (r) => r.wall))} | ${f2(tool[0])} / ${f2(tool[1])} | ${f2(hosts[0])} / ${f2(hosts[1])} | ${f2((tool[1] + hosts[1]) / cores)} `
      + `| ${(tool[1] * 1000 / c.size).toFixed(1)} | ${(hosts[1] * 1000 / c.size).toFixed(1)} `
      + `| ${ph.length ? `${s(p((x) => x.firstConnect))} / ${s(p((x) => x.lastLogin))} / ${s(p((x) => x.lastExecEnd))} / ${s(p((x) => x.exit))}` : ''} `
      + `| ${ph.length ? `${p((x) => x.medianConnectMs).toFixed(0)} / ${p((x) => x.medianExecMs).toFixed(0)}` : ''} |`);
  }
  return rows;
}
