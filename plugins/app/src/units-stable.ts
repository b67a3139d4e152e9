/**
 * `app.units`: the units a deploy restarted (gunicorn, uwsgi, celery …: `site.reloadUnits`) are running
 * and stay running. `systemctl restart` of a simple service returns as soon as the process exists; one
 * that dies on import a second later and is restarted by `Restart=on-failure` looks active to a single
 * look. So each unit is read twice (after any start in progress ended), the second time once `settle`
 * seconds have passed since the latest of them became active (not `settle` seconds after the first
 * look: the health check already spent part of that time): it must be active both times, with the
 * same ActiveEnterTimestamp (so it stayed up all along) and the same NRestarts. A unit that is not
 * fails the deploy, and its rescue switches back. It changes nothing: all fact, read just before it
 * runs; not run under --check (the release it would check is not live).
 */
import { defineTask, noop, quote, RunbookError, type FactOutput, type TaskType } from '@runbook/core';

export interface UnitsStableOptions {
  /** @example ['gunicorn.service', 'celery-shop.service'] */
  units: string[];
  /** seconds between the two looks @example 2 */
  settle: number;
  /** seconds to wait for a unit that is still starting (or waiting to be restarted) @default 30 */
  startTimeout?: number;
  /**
   * Units just proven up (the health check answered through them): looked at twice like the others, but
   * not waited for; when every unit is proven, the second look follows the first.
   * @example ['gunicorn.service']
   */
  proven?: string[];
}

/** The units whose second look waits out the settle: every one but those proven up. */
const waitedUnits = (o: UnitsStableOptions): string[] => o.units.filter((u) => !o.proven?.includes(u));

/** The properties read per look. */
const PROPS = ['LoadState', 'ActiveState', 'SubState', 'Result', 'NRestarts', 'ActiveEnterTimestampMonotonic'] as const;
type Look = Partial<Record<(typeof PROPS)[number], string>>;
export type UnitLooks = Record<string, { first?: Look; second?: Look }>;

export function unitsScript(o: UnitsStableOptions): string {
  const list = o.units.map((u) => quote(u)).join(' ');
  const show = `systemctl show ${PROPS.map((p) => `-p ${p}`).join(' ')} -- "$u"`;
  const polls = Math.ceil((o.startTimeout ?? 30) * 2);
  const waited = waitedUnits(o);
  return [
    'w=0',
    `for u in ${list}; do`,
    // starting, reloading, or between two automatic restarts: wait for that to end
    '  while s=$(systemctl show -p ActiveState --value -- "$u"); do',
    '    case $s in activating|deactivating|reloading) ;; *) break ;; esac',
    `    [ "$w" -lt ${polls} ] || break`,
    '    w=$((w + 1)); sleep 0.5',
    '  done',
    'done',
    // the latest activation of the units waited for (µs, CLOCK_MONOTONIC) and now (/proc/uptime: the same
    // clock unless the host slept)
    't=0',
    ...o.units.map((u) => `u=${quote(u)}; printf '== first %s\\n' "$u"; look=$(${show}); printf '%s\\n' "$look"`
      + (waited.includes(u) ? '; a=${look##*ActiveEnterTimestampMonotonic=}; a=${a%%[!0-9]*}; [ "${a:-0}" -le "$t" ] || t=$a' : '')),
    ...(waited.length ? [
      'read -r up _ < /proc/uptime',
      `left=$(( ${Math.round(o.settle * 1e6)} - (\${up%.*}\${up#*.}0000 - t) ))`,
      // a unit that never became active gets the whole settle (its first look fails the check anyway)
      `if [ "$t" -eq 0 ]; then sleep ${o.settle}; elif [ "$left" -gt 0 ]; then sleep "$((left / 1000000)).$(printf '%06d' $((left % 1000000)))"; fi`,
    ] : []),
    `for u in ${list}; do printf '== second %s\\n' "$u"; ${show}; done`,
    'exit 0',
  ].join('\n');
}

export function parseUnits(out: FactOutput): UnitLooks {
  const looks: UnitLooks = {};
  let look: Look | undefined;
  for (const line of out.stdout.split('\n')) {
    const head = /^== (first|second) (.+)$/.exec(line);
    if (head) {
      look = {};
      (looks[head[2]] ??= {})[head[1] as 'first' | 'second'] = look;
      continue;
    }
    const eq = line.indexOf('=');
    if (look && eq > 0) look[line.slice(0, eq) as keyof Look] = line.slice(eq + 1);
  }
  return looks;
}

const describe = (l: Look): string =>
  `${l.ActiveState ?? '?'} (${l.SubState ?? '?'}${l.Result && l.Result !== 'success' ? `, result ${l.Result}` : ''})`;

/** Pure: what is wrong with each unit, or nothing. */
export function unstableUnits(looks: UnitLooks, o: UnitsStableOptions): string[] {
  const problems: string[] = [];
  for (const unit of o.units) {
    const { first, second } = looks[unit] ?? {};
    if (!first || !second) problems.push(`${unit}: its state could not be read`);
    else if (first.LoadState !== 'loaded') problems.push(`${unit}: ${first.LoadState === 'not-found' ? 'no such unit' : `not loaded (${first.LoadState})`}`);
    else if (first.ActiveState !== 'active') problems.push(`${unit}: ${describe(first)}, not active`);
    else if (second.ActiveState !== 'active') problems.push(`${unit}: was active, then ${describe(second)} within ${o.settle} s`);
    else if (first.NRestarts !== second.NRestarts) problems.push(`${unit}: restarted ${Number(second.NRestarts) - Number(first.NRestarts)} time(s) within ${o.settle} s (crash loop?)`);
    else if (first.ActiveEnterTimestampMonotonic !== second.ActiveEnterTimestampMonotonic) problems.push(`${unit}: stopped and started again within ${o.settle} s`);
  }
  return problems;
}

export const unitsStableType: TaskType<UnitsStableOptions, { looks?: UnitLooks }> = {
  name: 'app.units',
  describe: (o) => (waitedUnits(o).length ? `${o.units.join(', ')} stay active for ${o.settle} s` : `${o.units.join(', ')} active (the health check answered through it)`),
  validate(o) {
    if (!Array.isArray(o.units) || !o.units.every((u) => typeof u === 'string' && /^[A-Za-z0-9:_.\\@-]+$/.test(u))) {
      throw new RunbookError('E_OPTIONS', `units: expected systemd unit names, got ${JSON.stringify(o.units)}`);
    }
    if (typeof o.settle !== 'number' || !(o.settle > 0)) throw new RunbookError('E_OPTIONS', `settle: expected seconds, got ${o.settle}`);
  },
  // late: it waits, so it runs just before this task, after the reload and the health check
  facts: (o, ctx) => (ctx.check ? {} : { looks: { command: unitsScript(o), parse: parseUnits, late: true } }) as never,
  check({ looks }, o) {
    if (!looks) return noop('not checked under --check');
    const problems = unstableUnits(looks, o);
    if (problems.length === 0) return noop(waitedUnits(o).length ? `${o.units.join(', ')} active, no restart in ${o.settle} s` : `${o.units.join(', ')} active, no restart`);
    const logs = o.units.map((u) => `-u ${u}`).join(' ');
    throw new RunbookError('E_COMMAND', `units not running steadily: ${problems.join('; ')} (see journalctl ${logs} -n 50)`);
  },
  apply: () => [],
};

/**
 * Fails unless each unit is active and stays so (same start, no restart) for `settle` seconds.
 * @example unitsStable({ units: ['gunicorn.service', 'celery-shop.service'], settle: 2 })
 */
export const unitsStable = defineTask(unitsStableType);
