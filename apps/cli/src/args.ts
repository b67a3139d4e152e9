/** Command-line flags (node:util parseArgs: no dependency, nothing to load for `--version`). */
import { parseArgs } from 'node:util';
import { errors } from '@runbook/core';

export interface CliArgs {
  command: string;
  env?: string;
  limit?: string;
  check: boolean;
  diff: boolean;
  tags?: string[];
  skipTags?: string[];
  extraVars: string[];
  forks?: number;
  serial?: string;
  maxFail?: string;
  json: boolean;
  stats: boolean;
  verbose: boolean;
  hostKey?: 'yes' | 'accept-new' | 'no';
  config?: string;
  /** run rollback --to ID */
  to?: string;
  /** run history --last N: how many runs */
  last?: string;
  /** run history --local: this machine's run files only, no host read */
  local: boolean;
  /** run report [RUN]: the run file (its name, id or path) */
  run?: string;
  help: boolean;
  version: boolean;
}

const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        env: { type: 'string' },
        limit: { type: 'string', short: 'l' },
        check: { type: 'boolean', short: 'C' },
        diff: { type: 'boolean', short: 'D' },
        tags: { type: 'string', short: 't' },
        'skip-tags': { type: 'string' },
        'extra-vars': { type: 'string', short: 'e', multiple: true },
        forks: { type: 'string', short: 'f' },
        serial: { type: 'string' },
        'max-fail': { type: 'string' },
        json: { type: 'boolean' },
        stats: { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        'host-key': { type: 'string' },
        config: { type: 'string', short: 'c' },
        to: { type: 'string' },
        last: { type: 'string' },
        local: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    throw errors.usage(`${(e as Error).message}; see run --help`);
  }
  const v = parsed.values;
  const hostKey = v['host-key'];
  if (hostKey !== undefined && !['yes', 'accept-new', 'no'].includes(hostKey)) {
    throw errors.usage(`--host-key expects yes, accept-new or no, got "${hostKey}"`);
  }
  let forks: number | undefined;
  if (v.forks !== undefined) {
    forks = Number(v.forks);
    if (!Number.isInteger(forks) || forks < 1) throw errors.usage(`--forks expects a whole number ≥ 1, got "${v.forks}"`);
  }
  // `--limit "$HOSTS"` with HOSTS unset must not run on every host
  if (v.limit !== undefined && v.limit.trim() === '') {
    throw errors.usage('--limit is empty: name hosts, groups or patterns (all for every host), or leave --limit out');
  }
  // `run report RUN` is the one command that takes an argument
  const maxPositionals = parsed.positionals[0] === 'report' ? 2 : 1;
  if (parsed.positionals.length > maxPositionals) throw errors.usage(`unexpected arguments: ${parsed.positionals.slice(maxPositionals).join(' ')}`);
  return {
    command: parsed.positionals[0] ?? '',
    env: v.env,
    limit: v.limit,
    check: Boolean(v.check),
    diff: Boolean(v.diff),
    tags: list(v.tags),
    skipTags: list(v['skip-tags']),
    extraVars: v['extra-vars'] ?? [],
    forks,
    serial: v.serial,
    maxFail: v['max-fail'],
    json: Boolean(v.json),
    stats: Boolean(v.stats),
    verbose: Boolean(v.verbose),
    hostKey: hostKey as CliArgs['hostKey'],
    config: v.config,
    to: v.to,
    last: v.last,
    local: Boolean(v.local),
    run: parsed.positionals[0] === 'report' ? parsed.positionals[1] : undefined,
    help: Boolean(v.help),
    version: Boolean(v.version),
  };
}

export const usage = `Usage: run <playbook> --env <env> [options]
       run hosts --env <env> [--limit PATTERN] [--json]
       run history --env <env> [--last N] [--limit PATTERN] [--local] [--json]
                                                past runs, newest first: this machine's (.runbook/runs/)
                                                and every deploy the hosts recorded (--local: no host read)
       run report [RUN]                         one HTML file from a run (default: the newest)
       run vault encrypt|decrypt|edit <env>     secrets/<env>.env ⇄ secrets/<env>.env.enc (RUNBOOK_VAULT_PASSWORD)

<playbook> is a name in playbooks/ (e.g. example) or a path to a playbook file.

Options:
  --env ENV             inventory to use: inventories/ENV.yml (required)
  -l, --limit PATTERN   hosts to run on: aliases, groups, globs; "a,b", "!c", "&g"
  -C, --check           plan only: report what would change, change nothing (exit 2 on drift)
  -D, --diff            show unified diffs of file content
  -t, --tags T,...      run only tasks with these tags
      --skip-tags T,... skip tasks with these tags
  -e, --extra-vars K=V  set a variable (highest precedence); repeatable; JSON values allowed
  -f, --forks N         hosts at once (default: all)
      --serial N|N%     run hosts in batches (rolling)
      --max-fail N%     stop the run once more than N% of hosts failed
      --host-key MODE   unknown keys: yes (refuse; default) | accept-new (record) | no (accept);
                        a changed key is refused under every MODE
      --json            NDJSON events on stdout; the last line is the recap
      --stats           per host: remote execs (round trips) and bytes sent
  -c, --config FILE     config file (default: found from the current directory)
      --to ID           with run rollback: the release to go back to (default: the last good one)
  -v, --verbose         more detail (no-change reasons)
  -V, --version         print the version
  -h, --help            this help

Exit codes: 0 ok, 1 a task failed, 2 --check found changes, 3 a host was unreachable, 4 bad input.`;
