import test from 'ava';
import { apt, aptType, checkApt, parsePolicy, parseStatus, type AptOptions, type AptPolicy, type AptStatus } from './apt.js';

// recorded on Debian bookworm
const DPKG = 'nginx\tinstall ok installed\t1.22.1-9\ncurl\tdeinstall ok config-files\t7.88.1-10+deb12u5\n';
const POLICY = `nginx:
  Installed: 1.22.1-9
  Candidate: 1.22.1-9+deb12u1
  Version table:
     1.22.1-9+deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
 *** 1.22.1-9 100
        100 /var/lib/dpkg/status
git:
  Installed: (none)
  Candidate: 1:2.39.5-0+deb12u1
`;

test('parses dpkg-query and apt-cache policy', (t) => {
  t.deepEqual(parseStatus(DPKG), { nginx: { installed: true, version: '1.22.1-9' }, curl: { installed: false, version: undefined } });
  t.deepEqual(parsePolicy(POLICY), { nginx: { installed: '1.22.1-9', candidate: '1.22.1-9+deb12u1' }, git: { candidate: '1:2.39.5-0+deb12u1' } });
});

const status: AptStatus = parseStatus(DPKG);
const policy: AptPolicy = parsePolicy(POLICY);
const HOUR = 3600;

const plan = test.macro((t, facts: { cache: number; policy?: AptPolicy }, o: AptOptions, expected: unknown) => {
  const p = checkApt({ status, ...facts }, o);
  t.deepEqual('noop' in p ? p : { changes: p.changes, state: p.state }, expected);
});

test('installed: noop says the versions', plan, { cache: 5 * HOUR }, { packages: 'nginx' }, { noop: 'installed: nginx 1.22.1-9' });
test('missing, fresh cache: install without update', plan, { cache: 60 }, { packages: ['nginx', 'curl'] },
  { changes: ['install curl'], state: { update: false, install: ['curl'], remove: [] } });
test('missing, stale cache: update then install', plan, { cache: 2 * HOUR }, { packages: 'git' },
  { changes: ['update apt cache (2 h old)', 'install git'], state: { update: true, install: ['git'], remove: [] } });
test('missing, never updated: update', plan, { cache: Infinity }, { packages: 'git' },
  { changes: ['update apt cache (never updated)', 'install git'], state: { update: true, install: ['git'], remove: [] } });
test('stale cache but nothing to install: no update', plan, { cache: 9 * HOUR }, { packages: 'nginx' }, { noop: 'installed: nginx 1.22.1-9' });
test('updateCache true refreshes a stale cache on its own', plan, { cache: 9 * HOUR }, { packages: 'nginx', updateCache: true },
  { changes: ['update apt cache (9 h old)'], state: { update: true, install: [], remove: [] } });
test('updateCache false never refreshes', plan, { cache: Infinity }, { packages: 'git', updateCache: false },
  { changes: ['install git'], state: { update: false, install: ['git'], remove: [] } });
test('cacheValidTime widens the window', plan, { cache: 2 * HOUR }, { packages: 'git', cacheValidTime: 86400 },
  { changes: ['install git'], state: { update: false, install: ['git'], remove: [] } });
test('latest: upgrade to the candidate', plan, { cache: 60, policy }, { packages: 'nginx', state: 'latest' },
  { changes: ['upgrade nginx 1.22.1-9 → 1.22.1-9+deb12u1'], state: { update: false, install: ['nginx'], remove: [] } });
test('absent: remove what is installed', plan, { cache: 60 }, { packages: ['nginx', 'curl'], state: 'absent' },
  { changes: ['remove nginx'], state: { update: false, install: [], remove: ['nginx'] } });
test('absent and not installed: noop', plan, { cache: 60 }, { packages: 'curl', state: 'absent' }, { noop: 'not installed: curl' });

test('commands: lock timeout, noninteractive, confold, -- before names; stamp after update', (t) => {
  const cmds = aptType.apply({ changes: [], state: { update: true, install: ['git', 'nginx'], remove: [] } }, { packages: [] }, {} as never);
  t.is(cmds[0].script, 'export DEBIAN_FRONTEND=noninteractive\napt-get update -q -o DPkg::Lock::Timeout=120\nmkdir -p /var/lib/apt/periodic\ntouch /var/lib/apt/periodic/update-success-stamp');
  t.is(cmds[1].script, 'export DEBIAN_FRONTEND=noninteractive\napt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- git nginx');
  t.is(cmds[1].display, 'apt-get install git nginx');
});

test('facts: one status query, policy only for latest', (t) => {
  t.deepEqual(Object.keys(aptType.facts({ packages: 'nginx' }, {} as never)), ['status', 'cache']);
  t.deepEqual(Object.keys(aptType.facts({ packages: 'nginx', state: 'latest' }, {} as never)), ['status', 'cache', 'policy']);
  t.is(aptType.facts({ packages: ['a', 'b'] }, {} as never).status.command, "LC_ALL=C dpkg-query -W -f='${Package}\\t${Status}\\t${Version}\\n' -- a b 2>/dev/null || [ $? -eq 1 ]");
});

test('validation rejects names that are not package names', (t) => {
  t.throws(() => apt({ packages: ['nginx; rm -rf /'] }), { message: /apt.packages: packages: expected Debian package names/ });
  t.throws(() => apt({ packages: ['-y'] }), { message: /packages/ });
  t.throws(() => apt({ packages: [] }), { message: /packages/ });
  t.throws(() => apt({ packages: 'xz', cacheValidTime: -1 }), { message: /cacheValidTime: expected a whole number/ });
});
