/**
 * `app.health`: an HTTP request on the host that must succeed (`curl -fsS`), tried `retries` times,
 * 0.1 s apart at first, the wait doubling up to one second (a restarted app usually answers within a few
 * tenths: no whole second lost to a first try that landed in its start-up). It changes nothing, so it is all fact: a healthy app is a no-op that says what answered,
 * an unhealthy one fails the task (and so the deploy, whose rescue then switches back). Under --check it
 * is not run: the release it would check is not live.
 */
import { defineTask, noop, quote, RunbookError, type FactOutput, type TaskType } from '@runbook/core';

export interface HealthCheckTaskOptions {
  /** @example 'http://127.0.0.1/health/' */
  url: string;
  /** Host header @example 'shop.example.org' */
  host?: string;
  /** @example 10 */
  retries: number;
}

interface HealthResult {
  ok: boolean;
  attempts: number;
  detail: string;
}

export function healthScript(o: HealthCheckTaskOptions): string {
  const header = o.host ? ` -H ${quote(`Host: ${o.host}`)}` : '';
  return [
    `command -v curl >/dev/null || { echo 'fail 0 curl is not installed'; exit 0; }`,
    'i=0',
    'while :; do',
    '  i=$((i + 1))',
    `  if out=$(curl -fsS -o /dev/null -w '%{http_code}' --max-time 5${header} -- ${quote(o.url)} 2>&1); then echo "ok $i $out"; exit 0; fi`,
    `  if [ "$i" -ge ${o.retries} ]; then echo "fail $i $(printf '%s' "$out" | tail -n 1)"; exit 0; fi`,
    '  case $i in 1) sleep 0.1 ;; 2) sleep 0.2 ;; 3) sleep 0.4 ;; 4) sleep 0.8 ;; *) sleep 1 ;; esac',
    'done',
  ].join('\n');
}

export function parseHealth(stdout: string): HealthResult {
  const m = /^(ok|fail) (\d+) ?(.*)$/m.exec(stdout.trim());
  if (!m) return { ok: false, attempts: 0, detail: stdout.trim() || 'no output' };
  return { ok: m[1] === 'ok', attempts: Number(m[2]), detail: m[3] };
}

export const healthCheckType: TaskType<HealthCheckTaskOptions, { health?: HealthResult }> = {
  name: 'app.health',
  describe: (o) => `GET ${o.url}${o.host ? ` (Host: ${o.host})` : ''}`,
  // late: the check waits and retries, so it runs just before this task, not ahead with earlier facts
  facts: (o, ctx) => (ctx.check ? {} : { health: { command: healthScript(o), parse: (out: FactOutput) => parseHealth(out.stdout), late: true } }) as never,
  check({ health }, o) {
    if (!health) return noop('not checked under --check');
    if (health.ok) return noop(`${o.url} answered ${health.detail} (attempt ${health.attempts})`);
    throw new RunbookError('E_COMMAND', `health check failed: ${o.url}${o.host ? ` (Host: ${o.host})` : ''} after ${health.attempts} attempt(s): ${health.detail}`);
  },
  apply: () => [],
};

/**
 * Fails unless the URL answers with a 2xx/3xx status within `retries` attempts.
 * @example healthCheck({ url: 'http://127.0.0.1/health/', host: 'shop.example.org', retries: 10 })
 */
export const healthCheck = defineTask(healthCheckType);
