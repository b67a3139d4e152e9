import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isNoop, secret, type Changes, type TaskContext } from '@runbook/core';
import type { FileState } from '@runbook/system';
import { applyHtpasswd, checkHtpasswd, htpasswd, parseHtpasswd, type HtpasswdOptions, type HtpasswdState } from './htpasswd.js';
import { verifyPassword } from './md5-crypt.js';

// `openssl passwd -apr1 -salt saltsalt password` and `-salt 12345678 'secret pw'`
const ALICE = 'alice:$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/';
const BOB = 'bob:$apr1$12345678$Xwu3dZLLg/uECvzqzPcxt0';
const o: HtpasswdOptions = { path: '/etc/nginx/htpasswd/shop', users: { alice: secret('password'), bob: 'secret pw' } };
const file = (text: string, attrs: Partial<FileState> = {}): FileState => ({
  kind: 'file', mode: '0640', uid: 0, owner: 'root', gid: 33, group: 'www-data', size: text.length,
  sha256: createHash('sha256').update(text).digest('hex'), content: Buffer.from(text), ...attrs,
});

const plans = test.macro({
  exec(t, state: FileState, expected: { changes: string[]; write?: boolean; keep?: string[] } | RegExp) {
    const plan = checkHtpasswd(state, o);
    if (expected instanceof RegExp) {
      t.true(isNoop(plan), JSON.stringify(plan));
      if (isNoop(plan)) t.regex(plan.noop, expected);
      return;
    }
    const p = plan as Changes<HtpasswdState>;
    t.deepEqual(p.changes, expected.changes);
    t.is(p.diff, undefined, 'never a diff of password hashes');
    if (expected.write !== undefined) t.is(p.state!.write, expected.write);
    if (expected.keep) t.deepEqual(Object.keys(p.state!.keep), expected.keep);
  },
  title: (name = '') => `plans: ${name}`,
});

test('no file yet', plans, { kind: 'absent' }, { changes: ['create /etc/nginx/htpasswd/shop (2 users: alice, bob; 0640 root:www-data)'], write: true });
test('same users and passwords (salted hashes verify)', plans, file(`${ALICE}\n${BOB}\n`), /2 users, passwords match/);
test('a user missing', plans, file(`${ALICE}\n`), { changes: ['add user bob'], write: true, keep: ['alice'] });
test('an extra user', plans, file(`${ALICE}\n${BOB}\ncarol:$apr1$x$y\n`), { changes: ['remove user carol'], write: true, keep: ['alice', 'bob'] });
test('another password', plans, file(`${ALICE}\nbob:$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/\n`), { changes: ['change the password of bob'], keep: ['alice'] });
test('a hash scheme nginx reads but we do not verify counts as another password', plans, file(`${ALICE}\nbob:{SHA}abc\n`), { changes: ['change the password of bob'] });
test('same users, other order', plans, file(`${BOB}\n${ALICE}\n`), { changes: ['rewrite /etc/nginx/htpasswd/shop (layout)'], write: true });
test('only the mode and group differ: fixed in place', plans, file(`${ALICE}\n${BOB}\n`, { mode: '0644', group: 'root', gid: 0 }), {
  changes: ['mode 0644 → 0640', 'group root → www-data'], write: false,
});

test('parse: comments and blank lines skipped', (t) => {
  t.deepEqual([...parseHtpasswd(`# x\n\n${ALICE}\n`)], [['alice', '$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/']]);
});

const ctx: TaskContext = { alias: 'web1', user: 'root', runAs: 'root', vars: {}, check: false };

test('apply: kept hashes stay, new ones verify; the script carries no password and shows none', (t) => {
  const [cmd] = applyHtpasswd({ write: true, keep: { alice: ALICE.slice(6) } }, o, ctx);
  t.is(cmd.display, 'write /etc/nginx/htpasswd/shop');
  t.false(cmd.script.includes('secret pw'));
  // the content is the single-quoted argument of the shell's printf: let a shell unquote it
  const quoted = /printf '%s' ((?:'[^']*'|\\')+) >/.exec(cmd.script)![1];
  const written = parseHtpasswd(execFileSync('sh', ['-c', `printf '%s' ${quoted}`], { encoding: 'utf8' }));
  t.is(written.get('alice'), ALICE.slice(6));
  t.true(verifyPassword('secret pw', written.get('bob')!));
  t.regex(cmd.script, /umask 0137\n/, 'created with mode 0640');
  t.regex(cmd.script, /chown '?root:www-data'? /);
});

test('apply: attributes only', (t) => {
  const cmds = applyHtpasswd({ write: false, keep: {}, fix: { mode: '0640' } }, o, ctx);
  t.is(cmds.length, 1);
  t.regex(cmds[0].script, /chmod 0640/);
  t.notRegex(cmds[0].script, /base64/);
});

test('bad options are refused when the task is made', (t) => {
  t.throws(() => htpasswd({ path: 'rel', users: { a: 'b' } }), { message: /path/ });
  t.throws(() => htpasswd({ path: '/x', users: {} }), { message: /at least one user/ });
  t.throws(() => htpasswd({ path: '/x', users: { 'a:b': 'c' } }), { message: /valid user name/ });
  t.throws(() => htpasswd({ path: '/x', users: { a: 'b\nc' } }), { message: /line break/ });
});
