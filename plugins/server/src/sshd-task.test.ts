/**
 * server.sshd: the drop-in's content, the refusals that keep the run from locking itself out, and the
 * `sshd -t` gate with the previous file put back.
 */
import test from 'ava';
import { fakeHost } from '@runbook/testing';
import { renderSshd, sshd, SSHD_DROP_IN } from './sshd-task.js';

const WANT = renderSshd({ user: 'deploy', rootLogin: 'no' });
const hostWith = (f: { current: string | null; keys?: number; included?: boolean }) => fakeHost({
  facts: (cmd) => {
    if (cmd === `cat -- ${SSHD_DROP_IN}`) return f.current === null ? { code: 1, stderr: 'No such file or directory' } : f.current;
    if (cmd.includes('getent passwd deploy')) return `${f.keys ?? 1}\n`;
    if (cmd.includes('Include')) return f.included === false ? 'no\n' : 'yes\n';
    return undefined;
  },
});

test('sshd: the drop-in turns password logins off and sets root login', (t) => {
  t.is(WANT, '# written by Runbook (@runbook/server): changes here are overwritten\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\n');
  t.regex(renderSshd({ user: 'root', rootLogin: 'prohibit-password' }), /^PermitRootLogin prohibit-password$/m);
});

const cases: { name: string; current: string | null; keys?: number; included?: boolean; status: string; changes?: string[]; reason?: string; error?: RegExp }[] = [
  { name: 'no drop-in yet', current: null, status: 'changed', changes: [`create ${SSHD_DROP_IN}`] },
  { name: 'edited by hand', current: 'PasswordAuthentication yes\n', status: 'changed', changes: [`rewrite ${SSHD_DROP_IN}`] },
  { name: 'up to date', current: WANT, status: 'ok', reason: `${SSHD_DROP_IN} up to date: no password logins, root login no` },
  { name: 'up to date, even with no key (nothing to change, nothing refused)', current: WANT, keys: 0, status: 'ok', reason: `${SSHD_DROP_IN} up to date: no password logins, root login no` },
  { name: 'login user without an authorized key: refused', current: null, keys: 0, status: 'failed', error: /refusing to turn password logins off: deploy \(the login user of this run\) has no authorized key/ },
  { name: 'sshd_config without the drop-in directory: refused', current: null, included: false, status: 'failed', error: /does not include \/etc\/ssh\/sshd_config\.d\/\*\.conf/ },
];
for (const c of cases) {
  test(`sshd: ${c.name}`, async (t) => {
    const r = await hostWith(c).run([sshd({ user: 'deploy', rootLogin: 'no' })], { check: false, user: 'deploy' });
    t.deepEqual(r.statuses, [c.status]);
    t.deepEqual(r.results[0].changes, c.changes);
    t.is(r.results[0].reason, c.reason);
    if (c.error) t.regex(r.results[0].error?.message ?? '', c.error);
    t.is(r.applied.length, c.status === 'changed' ? 1 : 0);
  });
}

test('sshd: the write is gated by sshd -t, which puts the previous file back when it fails', async (t) => {
  const r = await hostWith({ current: 'PasswordAuthentication yes\n' }).run([sshd({ user: 'deploy', rootLogin: 'no' })], { check: false, user: 'deploy' });
  const script = r.applied[0];
  const order = ['cp -p --', 'mv -f -- "$tmp"', 'sshd -t', `mv -f -- ${SSHD_DROP_IN}.rb-prev ${SSHD_DROP_IN}`, `fi\nrm -f -- ${SSHD_DROP_IN}.rb-prev`];
  const at = order.map((s) => script.indexOf(s));
  t.false(at.includes(-1), script);
  t.deepEqual([...at].sort((a, b) => a - b), at, 'backup, write, test, restore on failure, drop the backup');
});

test('sshd: check mode shows the diff of a hand edit', async (t) => {
  const r = await hostWith({ current: WANT.replace('PermitRootLogin no', 'PermitRootLogin yes') }).run([sshd({ user: 'deploy', rootLogin: 'no' })], { check: true });
  t.regex(r.results[0].diff ?? '', /-PermitRootLogin yes\n\+PermitRootLogin no\n/);
});
