/**
 * `apt.packages`: Debian packages installed (or the newest candidate, or removed). The apt cache is
 * refreshed only when it is older than `cacheValidTime` and something must actually be installed, so a
 * configured host costs one exec and no network.
 */
import { changes, defineTask, errors, noop, type Command, type FactRequest, type Plan, type TaskType } from '@runbook/core';
import { fail, oneOf, requireObject } from './options.js';

export interface AptOptions {
  /**
   * Package name(s), optionally with an architecture (`libc6:i386`).
   * @example ['nginx', 'python3-venv']
   */
  packages: string[] | string;
  /**
   * `present`: installed in any version; `latest`: the cache's candidate version; `absent`: removed
   * (`apt-get remove`, configuration files are kept).
   * @default 'present'
   * @example 'latest'
   */
  state?: 'present' | 'absent' | 'latest';
  /**
   * `true`: refresh a stale cache even when nothing is to be installed; `false`: never refresh;
   * unset: refresh a stale cache only when something is to be installed.
   * @default undefined
   * @example true
   */
  updateCache?: boolean;
  /**
   * Seconds after which the apt cache counts as stale.
   * @default 3600
   * @example 86400
   */
  cacheValidTime?: number;
}

export interface PackageStatus {
  /** `install ok installed` and friends: the third word is the state */
  installed: boolean;
  version?: string;
}
export type AptStatus = Record<string, PackageStatus>;
export type AptPolicy = Record<string, { installed?: string; candidate?: string }>;
/** seconds since the cache was last refreshed (Infinity: never) */
export type CacheAge = number;

const LOCK = '-o DPkg::Lock::Timeout=120';
const STAMP = '/var/lib/apt/periodic/update-success-stamp';
const nameOf = (pkg: string): string => pkg.split(':')[0];
const list = (o: AptOptions): string[] => (typeof o.packages === 'string' ? [o.packages] : o.packages);

export function parseStatus(stdout: string): AptStatus {
  const out: AptStatus = {};
  for (const l of stdout.split('\n')) {
    const [pkg, status, version] = l.split('\t');
    if (!pkg || !status) continue;
    const installed = status.split(' ')[2] === 'installed';
    out[pkg] = { installed, version: installed ? version : undefined };
  }
  return out;
}

export function parsePolicy(stdout: string): AptPolicy {
  const out: AptPolicy = {};
  let cur: string | undefined;
  for (const l of stdout.split('\n')) {
    const head = /^(\S+):$/.exec(l);
    if (head) out[(cur = head[1])] = {};
    const kv = /^\s+(Installed|Candidate): (.+)$/.exec(l);
    if (cur && kv && kv[2] !== '(none)') out[cur][kv[1] === 'Installed' ? 'installed' : 'candidate'] = kv[2];
  }
  return out;
}

const statusFact = (pkgs: string[]): FactRequest<AptStatus> => ({
  command: `LC_ALL=C dpkg-query -W -f='\${Package}\\t\${Status}\\t\${Version}\\n' -- ${pkgs.join(' ')} 2>/dev/null || [ $? -eq 1 ]`,
  parse(out) {
    if (out.code !== 0) throw errors.fact(`dpkg-query failed (exit ${out.code}): is this a Debian host?`);
    return parseStatus(out.stdout);
  },
});

const policyFact = (pkgs: string[]): FactRequest<AptPolicy> => ({
  command: `LC_ALL=C apt-cache policy ${pkgs.join(' ')}`,
  parse: (out) => parsePolicy(out.stdout),
});

const cacheFact: FactRequest<CacheAge> = {
  command: [
    `s=0; l=0; [ ! -e ${STAMP} ] || s=$(stat -c %Y ${STAMP})`,
    `if ls /var/lib/apt/lists/ 2>/dev/null | grep -q _Packages; then l=$(stat -c %Y /var/lib/apt/lists); fi`,
    `echo "$(date +%s) $s $l"`,
  ].join('\n'),
  parse(out) {
    const [now, stamp, lists] = out.stdout.trim().split(' ').map(Number);
    const last = Math.max(stamp, lists);
    return last > 0 ? Math.max(0, now - last) : Infinity;
  },
};

interface AptState {
  update: boolean;
  install: string[];
  remove: string[];
}

const ago = (s: number): string =>
  s === Infinity ? 'never updated' : s < 120 ? `${s} s old` : s < 7200 ? `${Math.round(s / 60)} min old` : `${Math.round(s / 3600)} h old`;

export function checkApt(f: { status: AptStatus; policy?: AptPolicy; cache: CacheAge }, o: AptOptions): Plan<AptState> {
  const pkgs = list(o);
  const st = (p: string): PackageStatus => f.status[nameOf(p)] ?? f.status[p] ?? { installed: false };
  if (o.state === 'absent') {
    const remove = pkgs.filter((p) => st(p).installed);
    if (!remove.length) return noop(`not installed: ${pkgs.join(', ')}`);
    return changes([`remove ${remove.join(', ')}`], { state: { update: false, install: [], remove } });
  }
  const missing = pkgs.filter((p) => !st(p).installed);
  const outdated = o.state === 'latest'
    ? pkgs.filter((p) => {
        const cand = f.policy?.[p]?.candidate ?? f.policy?.[nameOf(p)]?.candidate;
        return st(p).installed && cand !== undefined && cand !== st(p).version;
      })
    : [];
  const stale = f.cache > (o.cacheValidTime ?? 3600);
  const update = o.updateCache !== false && stale && (missing.length + outdated.length > 0 || o.updateCache === true);
  const list2: string[] = [];
  if (update) list2.push(`update apt cache (${ago(f.cache)})`);
  if (missing.length) list2.push(`install ${missing.join(', ')}`);
  for (const p of outdated) list2.push(`upgrade ${p} ${st(p).version} → ${f.policy?.[p]?.candidate ?? f.policy?.[nameOf(p)]?.candidate}`);
  if (!list2.length) {
    return noop(`installed${o.state === 'latest' ? ' (latest)' : ''}: ${pkgs.map((p) => `${p} ${st(p).version}`).join(', ')}`);
  }
  return changes(list2, { state: { update, install: [...missing, ...outdated], remove: [] } });
}

function apply(s: AptState): Command[] {
  const env = 'export DEBIAN_FRONTEND=noninteractive';
  const cmds: Command[] = [];
  if (s.update) {
    // the stamp is what the cache-age fact reads: apt does not touch the lists dir when nothing changed
    cmds.push({ script: `${env}\napt-get update -q ${LOCK}\nmkdir -p /var/lib/apt/periodic\ntouch ${STAMP}`, display: 'apt-get update' });
  }
  if (s.install.length) {
    cmds.push({
      script: `${env}\napt-get install -y -q --no-install-recommends ${LOCK} -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- ${s.install.join(' ')}`,
      display: `apt-get install ${s.install.join(' ')}`,
    });
  }
  if (s.remove.length) cmds.push({ script: `${env}\napt-get remove -y -q ${LOCK} -- ${s.remove.join(' ')}`, display: `apt-get remove ${s.remove.join(' ')}` });
  return cmds;
}

export const aptType: TaskType<AptOptions, { status: AptStatus; policy?: AptPolicy; cache: CacheAge }, AptState> = {
  name: 'apt.packages',
  describe: (o) => list(o).join(' '),
  validate(o) {
    requireObject('apt', o);
    const pkgs = typeof o.packages === 'string' ? [o.packages] : o.packages;
    // Debian policy names, so they need no quoting; anything else cannot be a package
    if (!Array.isArray(pkgs) || pkgs.length === 0 || !pkgs.every((p) => typeof p === 'string' && /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$/.test(p))) {
      fail('packages', 'Debian package names (lowercase letters, digits, + . -, optional :arch)', o.packages);
    }
    oneOf('state', o.state, ['present', 'absent', 'latest']);
    if (o.updateCache !== undefined && typeof o.updateCache !== 'boolean') fail('updateCache', 'true or false', o.updateCache);
    if (o.cacheValidTime !== undefined && (!Number.isInteger(o.cacheValidTime) || o.cacheValidTime < 0)) {
      fail('cacheValidTime', 'a whole number of seconds', o.cacheValidTime);
    }
  },
  facts(o) {
    const pkgs = list(o);
    const f: Record<string, FactRequest<unknown>> = { status: statusFact(pkgs), cache: cacheFact };
    if (o.state === 'latest') f.policy = policyFact(pkgs);
    return f as never;
  },
  check: (f, o) => checkApt(f, o),
  apply: (plan) => apply(plan.state!),
};

/**
 * Debian packages.
 * @example apt({ packages: ['nginx', 'git', 'python3-venv'] })
 */
export const apt = defineTask(aptType);
