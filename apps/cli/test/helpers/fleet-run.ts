/**
 * A recorded run of many hosts, as `run-log.ts` writes it, for the history and report tests: `web-1…N`
 * configure nginx and the app; two hosts fail the app's migrate with a stderr, one is unreachable.
 */
import type { HostRecap, RunEvent } from '@runbook/core';
import type { RunFile } from '../../src/run-files.js';
import type { RunHeader, RunResultLine } from '../../src/run-log.js';

export const FAILED_MESSAGE = 'python manage.py migrate failed (exit 1): django.db.utils.OperationalError: no such table: shop_order';

export function fleetRun(opts: { hosts?: number; run?: string; env?: string; playbook?: string; release?: string; finished?: boolean } = {}): RunFile {
  const n = opts.hosts ?? 50;
  const run = opts.run ?? '20261205T101500Z-a1b2c3';
  const aliases = Array.from({ length: n }, (_, i) => `web-${i + 1}`);
  const failing = new Set(n > 3 ? [aliases[3], aliases[n - 2]] : []);
  const unreachable = n > 5 ? aliases[5] : undefined;
  const events: RunEvent[] = [];
  const recap: Record<string, HostRecap> = {};
  for (const [i, host] of aliases.entries()) {
    if (host === unreachable) {
      events.push({ type: 'host', host, status: 'unreachable', error: { code: 'E_CONNECT', message: `${host}: connect ETIMEDOUT 10.0.0.6:22` } });
      recap[host] = { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: true, execs: 0, bytesSent: 0, bytesReceived: 0, ms: 10_000 };
      continue;
    }
    const t = (task: string, title: string, status: 'ok' | 'changed' | 'failed', ms: number, more: Partial<Extract<RunEvent, { type: 'task' }>> = {}): RunEvent =>
      ({ type: 'task', host, phase: 'deploy', task, title, status, ms: ms + (i % 7), ...more });
    const fails = failing.has(host);
    const mine: RunEvent[] = [
      t('app.lock', 'deploy lock /srv/shop', 'changed', 40, { changes: ['take the deploy lock'] }),
      t('app.code', `release ${opts.release ?? '20261205T101500Z'}`, 'changed', 1800, { changes: ['unpack 2.1 MB'] }),
      t('file.content', '/srv/shop/shared/.env', 'changed', 30, {
        changes: ['update /srv/shop/shared/.env'], diff: '--- /srv/shop/shared/.env\n+++ /srv/shop/shared/.env\n-DEBUG=1\n+DEBUG=0\n SECRET_KEY=••••••\n',
      }),
      fails
        ? t('command.run', 'python manage.py migrate', 'failed', 900, {
          error: { code: 'E_COMMAND', message: FAILED_MESSAGE, command: 'python manage.py migrate', stderr: 'Traceback (most recent call last):\n  File "manage.py", line 22\ndjango.db.utils.OperationalError: no such table: shop_order\n' },
        })
        : t('command.run', 'python manage.py migrate', 'ok', 900, { reason: 'no migrations to apply' }),
      ...(fails ? [] : [t('app.switch', 'current → 20261205T101500Z', 'changed', 20, { changes: ['switch current'] })]),
    ];
    events.push(...mine);
    const count = (s: string) => mine.filter((e) => e.type === 'task' && e.status === s).length;
    recap[host] = {
      ok: count('ok'), changed: count('changed'), failed: count('failed'), skipped: 0, unreachable: false,
      execs: 6, bytesSent: 2_200_000 + i, bytesReceived: 4_000, ms: 2800,
      ...(fails ? {} : { state: { release: opts.release ?? '20261205T101500Z' } }),
    };
  }
  events.push({ type: 'recap', hosts: recap });
  const header: RunHeader = {
    type: 'header', version: 1, run, startedAt: `${run.slice(0, 4)}-${run.slice(4, 6)}-${run.slice(6, 8)}T${run.slice(9, 11)}:${run.slice(11, 13)}:${run.slice(13, 15)}.000Z`,
    who: 'ann@laptop', commit: '3f9a1c0d2b', env: opts.env ?? 'prod', playbook: opts.playbook ?? 'deploy', hosts: aliases, check: false, argv: ['deploy', '--env', 'prod'],
  };
  const result: RunResultLine = { type: 'result', endedAt: header.startedAt, ms: 12_345, exitCode: failing.size ? 1 : 0, hosts: recap };
  return { path: `/runs/${run}.ndjson`, header, events, ...(opts.finished === false ? {} : { result }) };
}

/** The file's text, as `run-log.ts` writes it. */
export const runFileText = (f: RunFile): string =>
  [f.header, ...f.events, ...(f.result ? [f.result] : [])].map((l) => JSON.stringify(l)).join('\n') + '\n';
