/** server.hostname: /etc/hostname, the running name and the 127.0.1.1 line of /etc/hosts. */
import test from 'ava';
import { fakeHost } from '@runbook/testing';
import { hostname, hostsLine } from './hostname-task.js';

const hostWith = (file: string, running: string, line: string) =>
  fakeHost({ facts: (cmd) => (cmd.includes('cat /etc/hostname') ? `${file}\n${running}\n${line}\n` : undefined) });

test('hostname: a fresh droplet is renamed in all three places', async (t) => {
  const r = await hostWith('debian-s-1vcpu', 'debian-s-1vcpu', '127.0.1.1 debian-s-1vcpu').run([hostname({ name: 'web-1.example.com' })], { check: false, user: 'root' });
  t.deepEqual(r.results[0].changes, [
    '/etc/hostname: web-1.example.com (was debian-s-1vcpu)', 'hostname web-1.example.com (was debian-s-1vcpu)', '/etc/hosts: 127.0.1.1 web-1.example.com web-1',
  ]);
  t.regex(r.applied[0], /^printf '%s\\n' web-1\.example\.com > \/etc\/hostname\nhostname web-1\.example\.com\n/);
  t.true(r.applied[0].includes("sed -i 's/^127\\.0\\.1\\.1[[:space:]].*/127.0.1.1\tweb-1.example.com web-1/' /etc/hosts"), r.applied[0]);
});

test('hostname: in place (tabs or spaces in /etc/hosts alike)', async (t) => {
  const r = await hostWith('web-1', 'web-1', '127.0.1.1\tweb-1').run([hostname({ name: 'web-1' })]);
  t.is(r.results[0].reason, 'host name is web-1');
  t.deepEqual(r.applied, []);
});

test('hostname: the hosts line has the short name too', (t) => {
  t.is(hostsLine('web-1'), '127.0.1.1\tweb-1');
  t.is(hostsLine('db.internal'), '127.0.1.1\tdb.internal db');
});
