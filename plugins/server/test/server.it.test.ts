/**
 * server on two real Debian test hosts (set itserver, booted with CAP_NET_ADMIN so ufw can work): the
 * baseline applied to the first host twice (the second run changes nothing), then looked at from outside —
 * a new ssh connection still gets in, a port that is not allowed is dropped when the second host probes
 * it, a port allowed from the second host's address answers it — and check mode reporting a hand edit of
 * the sshd drop-in. Fails (never skips) when the hosts cannot boot.
 */
import test from 'ava';
import { assertIdempotent, boot, checkoutSet, explain, type Harness } from '@runbook/testing';
import { server, SSHD_DROP_IN, type ServerOptions } from '../src/index.js';

const SET = checkoutSet('itserver');
let h: Harness;
let options: ServerOptions;

test.before(async () => {
  h = await boot(SET, { count: 2, capabilities: ['CAP_NET_ADMIN'] });
  options = {
    firewall: { allow: [{ port: 8000, from: h.hosts.hosts[1].address }] },
    // a threshold no test host reaches: the swap file is made (swapon is left out: this is a container)
    swap: { size: '64M', belowMemory: '4096G' },
    timezone: 'Europe/Berlin',
    hostname: 'itserver-a',
  };
});
test.after.always(async () => {
  await h?.close();
});

/** 'open' or 'closed' for a TCP connect from the second host to the first, 2 s timeout. */
const probe = (port: number): Promise<string> =>
  h.ssh(`python3 -c 'import socket; s = socket.socket(); s.settimeout(2); print("open" if s.connect_ex(("${h.host.address}", ${port})) == 0 else "closed")'`, { host: h.hosts.hosts[1].name });

test.serial('configure twice: the second run changes nothing; the baseline is on the host', async (t) => {
  const { first } = await assertIdempotent(t, h, [server(options)]);
  t.true(first.changed >= 6, explain(first));
  // the firewall went on over the run's own connection, and the task after it (the ssh reload) still ran on it
  const order = first.tasks.filter((e) => e.status === 'changed').map((e) => e.task);
  t.deepEqual(order.slice(-2), ['server.firewall', 'command.run'], explain(first));
  t.regex(await h.ssh('ufw status verbose'), /Status: active[\s\S]*Default: deny \(incoming\)[\s\S]*22\/tcp\s+ALLOW IN\s+Anywhere/);
  const effective = await h.ssh('sshd -T');
  t.regex(effective, /^passwordauthentication no$/m);
  t.regex(effective, /^permitrootlogin no$/m);
  t.regex(await h.ssh('apt-config dump APT::Periodic'), /APT::Periodic::Unattended-Upgrade "1";/);
  t.is(await h.ssh('stat -c "%a %s" /swapfile; grep -c "^/swapfile none swap" /etc/fstab'), '600 67108864\n1');
  t.is(await h.ssh('readlink /etc/localtime; cat /etc/timezone'), '/usr/share/zoneinfo/Europe/Berlin\nEurope/Berlin');
  t.is(await h.ssh('hostname; cat /etc/hostname'), 'itserver-a\nitserver-a');
});

test.serial('with the firewall on: ssh still gets in, a port not allowed is dropped, an allowed one answers its source', async (t) => {
  t.is(await h.ssh('echo in'), 'in'); // a new ssh connection
  await h.ssh('systemd-run --unit=probe-8000 python3 -m http.server 8000; systemd-run --unit=probe-9000 python3 -m http.server 9000');
  // listening, as seen on the host itself
  t.is(await h.ssh(`python3 -c 'import socket, time; time.sleep(1); print([socket.create_connection(("127.0.0.1", p), 2) and p for p in (8000, 9000)])'`), '[8000, 9000]');
  t.is(await probe(9000), 'closed');
  t.is(await probe(8000), 'open');
  t.is(await probe(22), 'open');
  await h.ssh('systemctl stop probe-8000 probe-9000');
});

test.serial('check mode reports a hand edit of the sshd drop-in (exit 2) and changes nothing; a run puts it back', async (t) => {
  await h.ssh(`sed -i 's/^PasswordAuthentication no$/PasswordAuthentication yes/' ${SSHD_DROP_IN}`);
  const check = await h.configure([server(options)], { check: true, diff: true });
  t.is(check.result.exitCode, 2, explain(check));
  const task = check.tasks.find((e) => e.task === 'server.sshd');
  t.is(task?.status, 'changed');
  t.regex(task?.diff ?? '', /-PasswordAuthentication yes\n\+PasswordAuthentication no/);
  t.regex(await h.ssh(`cat ${SSHD_DROP_IN}`), /^PasswordAuthentication yes$/m);
  const fix = await h.configure([server(options)]);
  t.is(fix.result.exitCode, 0, explain(fix));
  t.deepEqual(fix.tasks.filter((e) => e.status === 'changed').map((e) => e.task), ['server.sshd', 'command.run'], 'the drop-in, then the ssh reload');
  t.regex(await h.ssh('sshd -T'), /^passwordauthentication no$/m);
});

test.serial('sshd -t rejects the config: the run fails and the previous drop-in is put back', async (t) => {
  await h.ssh(`sed -i 's/^PermitRootLogin no$/PermitRootLogin yes/' ${SSHD_DROP_IN}; echo 'NoSuchKeyword yes' > /etc/ssh/sshd_config.d/50-broken.conf`);
  const run = await h.configure([server(options)]);
  t.is(run.result.exitCode, 1, explain(run));
  const task = run.tasks.find((e) => e.task === 'server.sshd');
  t.is(task?.status, 'failed');
  t.regex(task?.error?.message ?? '', /sshd -t rejected the config; the previous \S+ is restored/);
  t.regex(await h.ssh(`cat ${SSHD_DROP_IN}`), /^PermitRootLogin yes$/m, 'the hand-edited file is back');
  await h.ssh('rm /etc/ssh/sshd_config.d/50-broken.conf');
  const fix = await h.configure([server(options)]);
  t.is(fix.result.exitCode, 0, explain(fix));
  t.is(await h.ssh('echo still in'), 'still in');
});
