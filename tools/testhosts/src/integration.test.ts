// Boots two real hosts and checks them from outside with the system ssh client.
// Never skipped: if hosts cannot boot here, this test fails.
import test from 'ava';
import fs from 'node:fs';
import { $ } from 'zx';
import { up, down, checkoutSet, inHost, type HostSet } from './index.js';
import { slotNames } from './paths.js';

const SET = 'it-testhosts';
const TRIXIE_SET = checkoutSet('it-testhosts-trixie');

async function leftovers(hs: HostSet): Promise<string[]> {
  const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => hs.hosts.some((h) => l.includes(`/hosts/${h.name}/`)));
  const netns = (await $`ip netns list`.quiet()).stdout;
  const links = (await $`ip -o link show`.quiet()).stdout;
  const out = [...mounts];
  for (const h of hs.hosts) {
    const slot = Number(h.address.split('.')[3]) - 10;
    const { netns: ns, veth } = slotNames(slot);
    if (new RegExp(`^${ns}\\b`, 'm').test(netns)) out.push(`netns ${ns}`);
    if (new RegExp(`^\\d+: ${veth}[@:]`, 'm').test(links)) out.push(`veth ${veth}`);
  }
  return out;
}

test.serial('two hosts: ssh, sudo, systemd, strict host keys, apt via proxy, host-to-host, clean down', async (t) => {
  const hs = await up({ set: SET, count: 2, log: (l) => t.log(l) });
  const ownCgroups: string[] = [];
  try {
    t.deepEqual(hs.hosts.map((h) => h.name), [`${SET}1`, `${SET}2`]);
    const [a, b] = hs.hosts;
    const ssh = (host: string, cmd: string, user = 'deploy') =>
      $`ssh -F ${hs.sshConfigFile} -o BatchMode=yes -o ConnectTimeout=10 -l ${user} ${host} ${cmd}`.quiet();
    // StrictHostKeyChecking yes comes from the ssh config: success means the key matched known_hosts
    t.is((await ssh(a.name, 'id -un')).stdout.trim(), 'deploy');
    t.is((await ssh(a.name, 'sudo -n true && echo ok')).stdout.trim(), 'ok');
    t.is((await ssh(b.name, 'id -un', 'root')).stdout.trim(), 'root');
    t.is((await ssh(b.name, 'hostname')).stdout.trim(), b.name);
    t.is((await ssh(a.name, 'ps -p 1 -o comm=')).stdout.trim(), 'systemd');
    // without ssh: a command in the host's own namespaces reaches its systemd
    const inside = await inHost(b, 'hostname; systemctl is-active ssh.service');
    t.deepEqual(inside.stdout.trim().split('\n'), [b.name, 'active'], inside.stderr);
    const state = (await ssh(a.name, 'systemctl is-system-running --wait').nothrow()).stdout.trim();
    t.true(['running', 'degraded'].includes(state), state);
    // each host's systemd has a cgroup tree of its own: with a shared one, a unit starting on one host while
    // the same unit stopped on the other failed (219/CGROUP), at boot and at every gunicorn restart
    // (nspawn itself sits in a `supervisor` group below the host's own)
    const cgroupOf = (h: { pid: number; name: string }) =>
      fs.readFileSync(`/proc/${h.pid}/cgroup`, 'utf8').match(new RegExp(`^0::(.*/runbook-testhosts/${h.name})(/|$)`, 'm'))?.[1];
    t.truthy(cgroupOf(a), fs.readFileSync(`/proc/${a.pid}/cgroup`, 'utf8'));
    t.truthy(cgroupOf(b), fs.readFileSync(`/proc/${b.pid}/cgroup`, 'utf8'));
    const v2 = fs.readFileSync('/proc/self/mountinfo', 'utf8').match(/^\S+ \S+ \S+ \/ (\S+) .* - cgroup2 /m)?.[1];
    ownCgroups.push(...[a, b].map((h) => `${v2}${cgroupOf(h)}`));
    t.true(ownCgroups.every((d) => fs.existsSync(d)), ownCgroups.join(' '));
    for (const h of [a, b]) t.is((await ssh(h.name, "journalctl -b -q --no-pager | grep -c '219/CGROUP' || true", 'root')).stdout.trim(), '0');
    const known = fs.readFileSync(hs.knownHostsFile, 'utf8');
    t.regex(known, new RegExp(`^${a.name},${a.address.replace(/\./g, '\\.')} ssh-ed25519 AAAA`, 'm'));
    // a wrong known_hosts entry must be refused: proves the check is strict, not skipped
    // a known_hosts holding another host's key for a must be refused: the check is strict, not skipped
    const bogus = `${hs.knownHostsFile}.bogus`;
    const bKey = known.match(new RegExp(`^${b.name},\\S+ (ssh-ed25519 \\S+)$`, 'm'))![1];
    fs.writeFileSync(bogus, `${a.name},${a.address} ${bKey}\n`);
    const refused = await $`ssh -F ${hs.sshConfigFile} -o BatchMode=yes -o UserKnownHostsFile=${bogus} ${a.name} true`.nothrow().quiet();
    t.not(refused.exitCode, 0);
    t.regex(refused.stderr, /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    fs.rmSync(bogus);
    const apt = await ssh(a.name, 'sudo -n apt-get update').nothrow();
    t.is(apt.exitCode, 0, apt.stderr);
    const reach = await ssh(a.name, `timeout 5 bash -c 'exec 3<>/dev/tcp/${b.name}/22; head -c 7 <&3'`).nothrow();
    t.is(reach.stdout, 'SSH-2.0', reach.stderr);
    const back = await ssh(b.name, `timeout 5 bash -c 'exec 3<>/dev/tcp/${a.address}/22; head -c 7 <&3'`).nothrow();
    t.is(back.stdout, 'SSH-2.0', back.stderr);
  } finally {
    await hs.down();
  }
  t.deepEqual(await leftovers(hs), []);
  t.false(fs.existsSync(hs.sshConfigFile));
  for (const h of hs.hosts) t.throws(() => process.kill(h.pid, 0));
  for (const d of ownCgroups) t.false(fs.existsSync(d), `${d}: its cgroups went with it`);
});

test.serial('a trixie host beside a bookworm one: each runs its release, apt of each reaches its suites', async (t) => {
  const [bw, tx] = await Promise.all([up({ set: SET, count: 1 }), up({ set: TRIXIE_SET, count: 1, release: 'trixie' })]);
  try {
    t.is(bw.release, 'bookworm');
    t.is(tx.release, 'trixie');
    for (const [hs, codename, security] of [[bw, 'bookworm', 'bookworm-security'], [tx, 'trixie', 'trixie-security']] as const) {
      const ssh = (cmd: string) => $`ssh -F ${hs.sshConfigFile} -o BatchMode=yes -o ConnectTimeout=10 -l root ${hs.hosts[0].name} ${cmd}`.quiet().nothrow();
      t.is((await ssh('. /etc/os-release && echo "$VERSION_CODENAME"')).stdout.trim(), codename);
      const apt = await ssh('apt-get update');
      t.is(apt.exitCode, 0, apt.stderr);
      t.regex(apt.stdout, new RegExp(`\\b${security}\\b`), `${codename}: apt reads its security suite`);
      t.notRegex(apt.stdout + apt.stderr, /^(Err|W):/m, `${codename}: no failed index`);
    }
  } finally {
    await Promise.all([bw.down(), tx.down()]);
  }
});

// if an assertion above threw before down() ran, still leave the machine clean
test.after.always(async () => {
  await down({ set: SET });
  await down({ set: TRIXIE_SET });
});
