import test from 'ava';
import { createHash } from 'node:crypto';
import { secret } from '@runbook/core';
import type { FileState } from '@runbook/system';
import { envKeyChanges, envKeyDiff } from './env-diff.js';
import { envFileType, planEnvFile } from './env-file-task.js';

const SECRET = 'k3y-v4lue-never-shown';
const o = (text: string) => ({
  path: '/srv/a/shared/.env', content: secret(text, '.env', { composite: true }), owner: 'a', group: 'a',
  current: '/srv/a/current', marker: '/srv/a/.env-restart-pending',
});
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const onHost = (text: string, extra: Partial<FileState> = {}): FileState => ({
  kind: 'file', mode: '0600', owner: 'a', group: 'a', uid: 1, gid: 1, size: text.length, sha256: sha(text), content: Buffer.from(text), ...extra,
});

const OLD = `# written by runbook\nSECRET_KEY=${SECRET}\nDEBUG=0\nOLD_KEY=x\n`;
const NEW = `# written by runbook\nSECRET_KEY=${SECRET}-2\nDEBUG=1\nNEW_KEY=${SECRET}\n`;

test('keys added, changed, removed; values never in the plan or the diff', (t) => {
  const p = planEnvFile(onHost(OLD), o(NEW));
  if ('noop' in p) return t.fail();
  t.deepEqual(p.changes, ['update /srv/a/shared/.env: +NEW_KEY, ~SECRET_KEY, ~DEBUG, -OLD_KEY']);
  t.is(p.diff, '/srv/a/shared/.env (keys; values hidden):\n+ NEW_KEY=••••••\n~ SECRET_KEY: changed\n~ DEBUG: changed\n- OLD_KEY\n');
  t.false(JSON.stringify(p).includes(SECRET));
  t.deepEqual(p.state, { write: true, fix: undefined });
});

test('a new .env: every key added', (t) => {
  const p = planEnvFile({ kind: 'absent' }, o('A=1\nB=2\n'));
  if ('noop' in p) return t.fail();
  t.deepEqual(p.changes, ['create /srv/a/shared/.env (0600): +A, +B']);
});

test('the same content: no-op; only the mode differs: no key talk, no write', (t) => {
  t.true('noop' in planEnvFile(onHost(NEW), o(NEW)));
  const p = planEnvFile(onHost(NEW, { mode: '0644' }), o(NEW));
  if ('noop' in p) return t.fail();
  t.is(p.diff, undefined);
  t.false(p.state!.write);
});

test('an old file that is no .env (or too big to read back): content hidden, as before', (t) => {
  const p = planEnvFile(onHost('not a dotenv line\n'), o(NEW));
  if ('noop' in p) return t.fail();
  t.regex(p.changes[0], /content hidden/);
  t.regex(p.diff!, /content hidden/);
  const big = planEnvFile(onHost(OLD, { content: undefined }), o(NEW));
  t.regex((big as { diff: string }).diff, /content hidden/);
});

test('comments or order only', (t) => {
  t.is(envKeyDiff('/e', envKeyChanges({ A: '1' }, { A: '1' })), '/e (keys; values hidden):\n  no key added, changed or removed (comments or order only)\n');
});

test('the write leaves the restart marker only when a release is live', (t) => {
  const p = planEnvFile(onHost(OLD), o(NEW));
  if ('noop' in p) return t.fail();
  const cmds = envFileType.apply(p, o(NEW), { alias: 'h', user: 'root', runAs: 'root', vars: {}, check: false });
  t.is(cmds.at(-1)!.script, 'if [ -L /srv/a/current ]; then : > /srv/a/.env-restart-pending; fi');
  const fixOnly = planEnvFile(onHost(NEW, { mode: '0644' }), o(NEW));
  t.false(envFileType.apply(fixOnly as never, o(NEW), {} as never).some((c) => c.script.includes('restart-pending')));
});
