/** The deploy bench's table: medians per size and tool, and Runbook's wall time over each other tool's. */
import { median } from './proc.js';
import type { ProbeResult } from './probe.js';

export interface DeployRun { wall: number; sessions: number; logins: number; probe?: ProbeResult }
export interface DeployCell { size: number; tool: string; first: DeployRun[]; update: DeployRun[] }

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : '–');
const med = (rs: DeployRun[], k: 'wall' | 'sessions' | 'logins') => median(rs.map((r) => r[k]));

export function deployTable(cells: DeployCell[]): string[] {
  const rows = [
    '| hosts | tool | first deploy s | new commit s | execs/host first / new commit | logins/host first / new commit | failed requests during new commit (of total), slowest s | Runbook/this: first, new commit |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of cells) {
    if (!c.first.length || !c.update.length) { rows.push(`| ${c.size} | ${c.tool} | failed |||||| `); continue; }
    const rb = cells.find((x) => x.size === c.size && x.tool === 'runbook' && x.first.length && x.update.length);
    const ratio = rb && c.tool !== 'runbook'
      ? `${(med(rb.first, 'wall') / med(c.first, 'wall')).toFixed(2)}, ${(med(rb.update, 'wall') / med(c.update, 'wall')).toFixed(2)}` : '';
    const failed = c.update.reduce((s, r) => s + (r.probe?.failed ?? 0), 0);
    const total = c.update.reduce((s, r) => s + (r.probe?.total ?? 0), 0);
    const slowest = Math.max(...c.update.map((r) => r.probe?.slowestMs ?? 0)) / 1000;
    rows.push(`| ${c.size} | ${c.tool} | ${f2(med(c.first, 'wall'))} | ${f2(med(c.update, 'wall'))} | ${f2(med(c.first, 'sessions'))} / ${f2(med(c.update, 'sessions'))} | ${f2(med(c.first, 'logins'))} / ${f2(med(c.update, 'logins'))} | ${failed} (of ${total}), ${f2(slowest)} | ${ratio} |`);
  }
  return rows;
}
