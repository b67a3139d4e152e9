/**
 * `dragonfly.ping`: the server answers `redis-cli ping` with PONG (tried for up to ~10 s: it may still be
 * starting). It changes nothing, so it is all fact: PONG is a no-op, anything else fails the task. The
 * password is never sent from here: the fact reads it on the host from the unit's EnvironmentFile
 * (REDISCLI_AUTH, which redis-cli takes from the environment). Not run under --check.
 */
import { defineTask, noop, quote, RunbookError, type FactOutput, type TaskType } from '@runbook/core';
import { DRAGONFLY } from './dragonfly-options.js';

export interface PingOptions {
  /** redis-cli arguments reaching the server @example ['-p', '6380'] */
  cliArgs: string[];
  /** attempts, 0.2 s apart @example 50 */
  attempts?: number;
}

export interface PingResult {
  ok: boolean;
  attempts: number;
  detail: string;
}

/** Prints `ok <n>` or `fail <n> <last answer>`; exits 0 either way. */
export function pingScript(o: PingOptions): string {
  const cli = [DRAGONFLY.cli, ...o.cliArgs, 'ping'].map((w) => quote(w)).join(' ');
  return [
    // in a subshell: the sourced password stays out of the rest of the batched script
    '(',
    `f=${quote(DRAGONFLY.envFile)}`,
    'if [ -r "$f" ]; then set -a; . "$f"; set +a; fi',
    `command -v ${quote(DRAGONFLY.cli)} >/dev/null || { echo 'fail 0 redis-cli is not installed'; exit 0; }`,
    'i=0',
    'while :; do',
    '  i=$((i + 1))',
    `  out=$(${cli} 2>&1) || :`,
    '  if [ "$out" = PONG ]; then echo "ok $i"; exit 0; fi',
    `  if [ "$i" -ge ${o.attempts ?? 50} ]; then echo "fail $i $(printf '%s' "$out" | tail -n 1)"; exit 0; fi`,
    '  sleep 0.2',
    'done',
    ')',
  ].join('\n');
}

export function parsePing(stdout: string): PingResult {
  const m = /^(ok|fail) (\d+) ?(.*)$/m.exec(stdout.trim());
  if (!m) return { ok: false, attempts: 0, detail: stdout.trim() || 'no output' };
  return { ok: m[1] === 'ok', attempts: Number(m[2]), detail: m[3] };
}

const describe = (o: PingOptions): string => ['redis-cli', ...o.cliArgs, 'ping'].join(' ');

const failed = (o: PingOptions, r: PingResult): RunbookError =>
  new RunbookError('E_COMMAND', `${describe(o)} did not answer PONG after ${r.attempts} attempt(s): ${r.detail || 'no answer'}`);

export const pingType: TaskType<PingOptions, { ping?: PingResult }> = {
  name: 'dragonfly.ping',
  describe,
  // late: it waits for the server, so it runs just before this task, after the start
  facts: (o, ctx) => (ctx.check ? {} : { ping: { command: pingScript(o), parse: (out: FactOutput) => parsePing(out.stdout), late: true } }) as never,
  check({ ping }, o) {
    if (!ping) return noop('not checked under --check');
    if (ping.ok) return noop(`PONG (attempt ${ping.attempts})`);
    throw failed(o, ping);
  },
  apply: () => [],
};

/**
 * Fails unless the server answers PONG.
 * @example ping({ cliArgs: ['-p', '6380'] })
 */
export const ping = defineTask(pingType);
