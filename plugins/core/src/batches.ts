/** --serial and --max-fail arithmetic, kept pure for tests. */
import { errors } from './errors.js';

/** `N` or `N%` of `total`, at least 1. */
export function parseCount(flag: string, value: string, total: number): number {
  const m = /^(\d+)(%?)$/.exec(value.trim());
  if (!m) throw errors.usage(`${flag} expects a number or a percentage like 2 or 25%, got "${value}"`);
  const n = Number(m[1]);
  if (m[2]) {
    if (n < 1 || n > 100) throw errors.usage(`${flag} percentage must be 1–100, got "${value}"`);
    return Math.max(1, Math.ceil((total * n) / 100));
  }
  if (n < 1) throw errors.usage(`${flag} must be at least 1, got "${value}"`);
  return n;
}

/** Splits hosts into batches of --serial size (all at once without it). */
export function batches<T>(items: T[], serial: string | undefined): T[][] {
  if (!serial || items.length === 0) return [items];
  const size = parseCount('--serial', serial, items.length);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The run stops once more than this share of hosts has failed (Ansible's max_fail_percentage). */
export function parseMaxFail(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)%?$/.exec(value.trim());
  if (!m || Number(m[1]) > 100) throw errors.usage(`--max-fail expects a percentage 0–100 like 20%, got "${value}"`);
  return Number(m[1]);
}

/** Runs `fn` over items with at most `limit` at once, in order of start. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}
