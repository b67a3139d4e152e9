import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changes, LocalConnection, runTask, type TaskContext } from '@runbook/core';
import { overSsh, releaseCode, releaseCodeType } from './release-code.js';

test('overSsh: ssh URLs and scp-like addresses, not https, file or local paths', (t) => {
  for (const r of ['ssh://git@github.com/acme/shop.git', 'git@github.com:acme/shop.git', 'git@localhost:/srv/git/demo.git', 'host:repo.git']) t.true(overSsh(r), r);
  for (const r of ['https://github.com/acme/shop.git', 'file:///srv/x.git', 'git://host/x.git', '/srv/x.git', './x.git']) t.false(overSsh(r), r);
});

const ctx: TaskContext = { alias: 'h', user: 'deploy', runAs: 'root', vars: {}, check: false };
const apply = (repo: string) =>
  releaseCodeType.apply(changes(['x']), { root: '/srv/a', id: 'r1', owner: 'a', group: 'a', source: { git: { repo, ref: 'main' } } }, ctx);

test('a git fetch over ssh asks for the forwarded agent and explains its absence', (t) => {
  const [cmd] = apply('git@github.com:acme/shop.git');
  t.true(cmd.agent);
  t.regex(cmd.script, /no ssh agent was forwarded to this host/);
  const [https] = apply('https://github.com/acme/shop.git');
  t.falsy(https.agent);
  t.notRegex(https.script, /agent/);
});

test('real shell: an upload is unpacked whole into its release (here-document inside the captured tar)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-release-code-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src');
  mkdirSync(join(src, 'pkg'), { recursive: true });
  writeFileSync(join(src, 'pkg', 'app.py'), 'print("hi")\n');
  const tarball = execFileSync('tar', ['-czf', '-', '-C', src, '.']);
  const root = join(dir, 'app');
  mkdirSync(join(root, 'releases'), { recursive: true });
  const [owner, group] = [execFileSync('id', ['-un']).toString().trim(), execFileSync('id', ['-gn']).toString().trim()];
  const task = releaseCode({ root, id: 'r1', owner, group, source: { tarball, commit: 'c0ffee' } });
  const r = await runTask(new LocalConnection(), task, { alias: 'localhost', user: owner, vars: {}, check: false });
  t.is(r.status, 'changed', r.error?.message);
  t.is(readFileSync(join(root, 'releases/r1/pkg/app.py'), 'utf8'), 'print("hi")\n');
  t.is(readFileSync(join(root, 'releases/r1/REVISION'), 'utf8'), 'c0ffee\n');
  t.deepEqual(readdirSync(join(root, 'releases')), ['r1'], 'no temp dir left');
  const broken = releaseCode({ root, id: 'r2', owner, group, source: { tarball: Buffer.from('not a tarball'), commit: 'c0ffee' } });
  const bad = await runTask(new LocalConnection(), broken, { alias: 'localhost', user: owner, vars: {}, check: false });
  t.is(bad.status, 'failed');
  t.regex(bad.error!.message, /tar/);
  t.false(existsSync(join(root, 'releases/r2')));
});

test('real shell: an upload of a tree a release already has is copied from it (hard links, only its files), not sent; another tree is sent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-release-tree-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src');
  mkdirSync(join(src, 'pkg'), { recursive: true });
  writeFileSync(join(src, 'pkg', 'app.py'), 'print("hi")\n');
  const tarball = execFileSync('tar', ['-czf', '-', '-C', src, 'pkg']);
  const root = join(dir, 'app');
  mkdirSync(join(root, 'releases'), { recursive: true });
  const [owner, group] = [execFileSync('id', ['-un']).toString().trim(), execFileSync('id', ['-gn']).toString().trim()];
  const host = { alias: 'localhost', user: owner, vars: {}, check: false };
  const deploy = (id: string, tree: string, tb = tarball) => runTask(new LocalConnection(), releaseCode({ root, id, owner, group, source: { tarball: tb, commit: `c-${id}`, tree } }), host);
  const r1 = await deploy('r1', 'tree-a');
  t.is(r1.status, 'changed', r1.error?.message);
  t.regex(r1.changes![0], /^unpack commit c-r1/);
  // what r1 gained at run time is not code: not copied
  writeFileSync(join(root, 'releases/r1/pkg/runtime.log'), 'x');
  const r2 = await deploy('r2', 'tree-a', Buffer.from('not a tarball: never unpacked'));
  t.is(r2.status, 'changed', r2.error?.message);
  t.regex(r2.changes![0], /^copy the code of release r1 \(same tree tree-a, nothing sent\)/);
  const ino = (p: string) => execFileSync('stat', ['-c', '%i', join(root, 'releases', p)]).toString();
  t.is(ino('r2/pkg/app.py'), ino('r1/pkg/app.py'), 'a hard link');
  t.is(readFileSync(join(root, 'releases/r2/REVISION'), 'utf8'), 'c-r2\n');
  t.false(existsSync(join(root, 'releases/r2/pkg/runtime.log')));
  const r3 = await deploy('r3', 'tree-b');
  t.regex(r3.changes![0], /^unpack commit c-r3/, 'another tree is sent');
  t.not(ino('r3/pkg/app.py'), ino('r1/pkg/app.py'));
});
