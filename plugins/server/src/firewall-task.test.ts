/**
 * server.firewall: facts (ufw's own output) → the rules to add and remove → one script that allows the
 * ssh port before anything can drop it.
 */
import test from 'ava';
import { fakeHost } from '@runbook/testing';
import { firewall, type FirewallOptions } from './firewall-task.js';

const ufwOutput = (status: string, policy: string, rules: string[]) => `Status: ${status}\n${policy}\n${rules.join('\n')}\n`;
const hostWith = (answer: string | { stdout?: string; stderr?: string; code: number }) =>
  fakeHost({ facts: (cmd) => (cmd.includes('ufw show added') ? answer : undefined) });

const options: FirewallOptions = { sshPort: 2222, allow: [{ port: '5432', proto: 'tcp', from: '10.0.0.0/8' }, { port: '53', proto: 'udp' }] };

const cases: { name: string; facts: string; changes?: string[]; reason?: string; script?: string[] }[] = [
  {
    name: 'fresh ufw: allow ssh first, then the others, deny by default, enable last',
    facts: ufwOutput('inactive', 'ACCEPT', []),
    changes: ['add rule: allow 2222/tcp', 'add rule: allow from 10.0.0.0/8 to any port 5432 proto tcp', 'add rule: allow 53/udp', 'default incoming: deny', 'enable ufw'],
    script: [
      "ufw allow 2222/tcp >/dev/null",
      "ufw allow from 10.0.0.0/8 to any port 5432 proto tcp >/dev/null",
      "ufw allow 53/udp >/dev/null",
      "ufw default deny incoming >/dev/null",
      "ufw --force enable >/dev/null",
    ],
  },
  {
    name: 'a rule added by hand is removed; the ssh rule is kept',
    facts: ufwOutput('active', 'DROP', ['allow 2222/tcp', 'allow 8080/tcp', 'allow from 10.0.0.0/8 to any port 5432 proto tcp', 'allow 53/udp']),
    changes: ['remove rule: allow 8080/tcp'],
    script: ['ufw delete allow 8080/tcp >/dev/null'],
  },
  {
    name: 'all in place',
    facts: ufwOutput('active', 'DROP', ['allow 2222/tcp', 'allow from 10.0.0.0/8 to any port 5432 proto tcp', 'allow 53/udp']),
    reason: 'ufw active, incoming denied, 3 rule(s) allowed: allow 2222/tcp, allow from 10.0.0.0/8 to any port 5432 proto tcp, allow 53/udp',
  },
];
for (const c of cases) {
  test(`firewall: ${c.name}`, async (t) => {
    const host = hostWith(c.facts);
    const r = await host.run([firewall(options)], { check: false, user: 'root' });
    t.deepEqual(r.results[0].changes, c.changes);
    t.is(r.results[0].reason, c.reason);
    if (c.script) t.deepEqual(r.applied[0]?.split('\n'), c.script);
    else t.deepEqual(r.applied, []);
  });
}

test('firewall: check mode shows the rules it would add and remove as a diff, and applies nothing', async (t) => {
  const host = hostWith(ufwOutput('active', 'DROP', ['allow 2222/tcp', 'allow 8080/tcp']));
  const r = await host.run([firewall({ sshPort: 2222, allow: [{ port: '443', proto: 'tcp' }] })], { check: true });
  t.deepEqual(r.statuses, ['changed']);
  t.regex(r.results[0].diff ?? '', /-allow 8080\/tcp\n\+allow 443\/tcp\n/);
  t.deepEqual(host.applied, []);
});

test('firewall: ufw not installed yet is a missing object (check mode predicts the whole setup)', async (t) => {
  const r = await hostWith('missing\n').run([firewall(options)], { check: false, user: 'root' });
  t.deepEqual(r.statuses, ['failed']);
  t.regex(r.results[0].error?.message ?? '', /ufw is not installed/);
});

test('firewall: ufw that cannot reach iptables fails naming the capability', async (t) => {
  const r = await hostWith({ stdout: '', stderr: 'ERROR: problem running iptables: iptables: Permission denied', code: 1 }).run([firewall(options)], { check: false, user: 'root' });
  t.deepEqual(r.statuses, ['failed']);
  t.regex(r.results[0].error?.message ?? '', /ufw status failed: ERROR: problem running iptables.*CAP_NET_ADMIN/);
});

test('firewall: a bad ssh port fails when the task is made', (t) => {
  t.throws(() => firewall({ sshPort: 0, allow: [] }), { message: /server\.firewall: sshPort must be a port/ });
});
