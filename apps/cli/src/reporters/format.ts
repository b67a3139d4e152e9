/** Shared text formatting for the plain and TTY reporters. */
import type { HostRecap } from '@runbook/core';

const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const green = paint(32);
export const yellow = paint(33);
export const red = paint(31);
export const dim = paint(2);
export const cyan = paint(36);

export const statusWord: Record<string, (s: string) => string> = {
  ok: green, changed: yellow, failed: red, skipped: dim,
};

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function recapLines(hosts: Record<string, HostRecap>, stats: boolean): string[] {
  const width = Math.max(4, ...Object.keys(hosts).map((h) => h.length));
  return Object.entries(hosts).map(([alias, r]) => {
    const color = r.failed || r.unreachable ? red : r.changed ? yellow : green;
    const cols = [
      `ok=${r.ok}`, `changed=${r.changed}`, `failed=${r.failed}`, `skipped=${r.skipped}`,
      `unreachable=${r.unreachable ? 1 : 0}`, seconds(r.ms),
      ...(stats ? [`execs=${r.execs}`, `sent=${r.bytesSent}B`, `received=${r.bytesReceived}B`] : []),
      ...Object.entries(r.state ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
    return `${color(alias.padEnd(width))}  ${cols.join('  ')}`;
  });
}

export function colorDiff(diff: string): string {
  return diff
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? green(l) : l.startsWith('-') && !l.startsWith('---') ? red(l) : l))
    .join('\n');
}
