// How busy the machine is: both benches wait for a quiet machine before they time a run.
import fs from 'node:fs';

/** Busy share of the machine's CPUs over `ms` (from /proc/stat). */
export async function busy(ms: number): Promise<number> {
  const read = () => fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const d = read().map((x, i) => x - a[i]);
  const total = d.reduce((x, y) => x + y, 0);
  return total ? 1 - (d[3] + d[4]) / total : 0;
}
