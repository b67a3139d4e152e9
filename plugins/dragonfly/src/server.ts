/**
 * `dragonfly.server`: the running server is the one configured, and it answers PONG. State, not
 * notification: a server started before its binary, its unit file or its EnvironmentFile last changed
 * is restarted (then waited for, up to ~10 s, until PONG), so a run that failed between a change and
 * the restart is healed by the next one, and a first install starts the server exactly once. An up to
 * date server is a no-op that says it answered PONG; a running server that does not answer fails the
 * task. The password is never sent: the fact reads it on the host from the EnvironmentFile.
 */
import { changes, defineTask, noop, quote, RunbookError, type Command, type FactOutput, type TaskType } from '@runbook/core';
import { DRAGONFLY } from './dragonfly-options.js';
import { parsePing, pingScript, type PingOptions, type PingResult } from './ping.js';

export type ServerFact =
  | { state: 'inactive'; detail: string }
  | { state: 'stale'; file: string }
  | { state: 'running'; ping: PingResult };

/** The files whose change makes a running server stale. */
export const SERVER_FILES = [DRAGONFLY.binary, `/etc/systemd/system/${DRAGONFLY.unit}`, DRAGONFLY.envFile];

/** Prints `inactive <state>`, `stale <file>` or the ping script's answer. */
export function serverScript(o: PingOptions): string {
  const u = quote(DRAGONFLY.unit);
  return [
    '(',
    `st=$(systemctl show -p ActiveState --value -- ${u})`,
    'case "$st" in active|activating|reloading) ;; *) echo "inactive $st"; exit 0;; esac',
    // the main process's start, to the microsecond, against the files' modification times
    `t=$(systemctl show --timestamp=us+utc -p ExecMainStartTimestamp --value -- ${u})`,
    's=$(date -d "$t" +%s.%N 2>/dev/null) || s=0',
    `for f in ${SERVER_FILES.map((f) => quote(f)).join(' ')}; do`,
    '  m=$(stat -c %.9Y -- "$f" 2>/dev/null) || continue',
    '  if awk -v m="$m" -v s="$s" \'BEGIN { exit !(m > s) }\'; then echo "stale $f"; exit 0; fi',
    'done',
    ')',
    // only reached when the server is current (the subshell above exits 0 after printing otherwise)
  ].join('\n');
}

export function parseServer(stdout: string): ServerFact {
  const first = stdout.trim().split('\n')[0] ?? '';
  if (first.startsWith('inactive ')) return { state: 'inactive', detail: first.slice(9) || 'unknown' };
  if (first.startsWith('stale ')) return { state: 'stale', file: first.slice(6) };
  return { state: 'running', ping: parsePing(stdout) };
}

const describe = (o: PingOptions): string => `${DRAGONFLY.unit} current, ${['redis-cli', ...o.cliArgs, 'ping'].join(' ')}`;

/** `systemctl restart`, then the PONG wait; fails naming the last answer. */
export function restartCommands(o: PingOptions): Command[] {
  const cli = ['redis-cli', ...o.cliArgs, 'ping'].join(' ');
  return [
    { script: `systemctl restart -- ${quote(DRAGONFLY.unit)}`, display: `systemctl restart ${DRAGONFLY.unit}` },
    {
      script: `r=$( ${pingScript(o)} )\ncase "$r" in ok*) ;; *) printf '%s\\n' ${quote(`${cli} did not answer PONG after the restart:`)}" $r" >&2; exit 1;; esac`,
      display: cli,
    },
  ];
}

export const serverType: TaskType<PingOptions, { server: ServerFact }, string> = {
  name: 'dragonfly.server',
  describe,
  // late: read just before this task, after the unit task started or changed the service
  facts: (o) => ({
    server: {
      command: `${serverScript(o)} | grep . || ${pingScript(o)}`,
      parse: (out: FactOutput) => parseServer(out.stdout),
      late: true,
    },
  }),
  check({ server }, o, ctx) {
    if (server.state === 'inactive') {
      if (ctx.check) return noop(`${DRAGONFLY.unit} is ${server.detail} (the unit task starts it)`);
      throw new RunbookError('E_COMMAND', `${DRAGONFLY.unit} is ${server.detail}, not running: see journalctl -u ${DRAGONFLY.unit}`);
    }
    if (server.state === 'stale') return changes([`restart ${DRAGONFLY.unit}: ${server.file} changed since it started`]);
    if (server.ping.ok) return noop(`${DRAGONFLY.unit} running since its last change, PONG (attempt ${server.ping.attempts})`);
    const cli = ['redis-cli', ...o.cliArgs, 'ping'].join(' ');
    throw new RunbookError('E_COMMAND', `${cli} did not answer PONG after ${server.ping.attempts} attempt(s): ${server.ping.detail || 'no answer'}`);
  },
  apply: (_plan, o) => restartCommands(o),
};

/**
 * Restarts a stale server and waits for PONG; else checks PONG.
 * @example server({ cliArgs: [] })
 */
export const server = defineTask(serverType);

export const restartType: TaskType<PingOptions> = {
  name: 'dragonfly.restart',
  describe: () => `restart ${DRAGONFLY.unit}`,
  facts: () => ({}),
  check: () => changes([`restart ${DRAGONFLY.unit}, wait for PONG`]),
  apply: (_plan, o) => restartCommands(o),
};

/** The handler other plugins may notify (`restart dragonfly`): restart the service, then wait for PONG. */
export const restart = defineTask(restartType);
