import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MissingObject } from '@runbook/core';
import { run, tempDir } from '../test/helpers.js';
import { git, gitType, resolveRef } from './git.js';

const sh = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' }).trim();

/** A bare repo with two commits on main and an annotated tag on the first. */
function makeRepo(dir: string): { repo: string; c1: string; c2: string; commit: (msg: string) => string } {
  const repo = join(dir, `remote 'r'.git`);
  const work = join(dir, 'work');
  sh(dir, 'init', '-q', '--bare', repo);
  sh(dir, 'init', '-q', '-b', 'main', work);
  const commit = (msg: string) => {
    writeFileSync(join(work, 'f.txt'), msg);
    sh(work, 'add', '.');
    sh(work, 'commit', '-q', '-m', msg);
    sh(work, 'push', '-q', repo, 'HEAD:refs/heads/main', '--tags');
    return sh(work, 'rev-parse', 'HEAD');
  };
  const c1 = commit('one');
  sh(work, 'tag', '-a', 'v1', '-m', 'v1');
  sh(work, 'push', '-q', repo, '--tags');
  const c2 = commit('two');
  return { repo, c1, c2, commit };
}

test('resolveRef: branch, annotated tag, commit, unknown', (t) => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  t.deepEqual(resolveRef('main', { 'refs/heads/main': a }), { commit: a, fetch: 'refs/heads/main' });
  t.deepEqual(resolveRef('v1', { 'refs/tags/v1': a, 'refs/tags/v1^{}': b }), { commit: b, fetch: 'refs/tags/v1' });
  t.deepEqual(resolveRef(a, undefined), { commit: a, fetch: a });
  t.is(resolveRef('nope', {}), undefined);
});

test('plans from facts', (t) => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  const o = { repo: '/r', dest: '/d', ref: 'main' };
  const remote = { 'refs/heads/main': b };
  t.deepEqual(gitType.check({ local: { state: 'repo', head: b, url: '/r' }, remote }, o, {} as never), { noop: '/d at main (bbbbbbbbbb)' });
  t.deepEqual((gitType.check({ local: { state: 'repo', head: a, url: '/r' }, remote }, o, {} as never) as { changes: string[] }).changes,
    ['checkout main (bbbbbbbbbb), was aaaaaaaaaa']);
  t.deepEqual((gitType.check({ local: { state: 'absent' }, remote }, o, {} as never) as { changes: string[] }).changes,
    ['clone /r into /d at main (bbbbbbbbbb)']);
  t.throws(() => gitType.check({ local: { state: 'other' }, remote }, o, {} as never), { message: /not a git working tree/ });
  t.throws(() => gitType.check({ local: { state: 'absent' }, remote: {} }, o, {} as never), { message: /neither a branch nor a tag/ });
});

test('git not installed: a missing object, with what it would do once an earlier apt install brings it (for --check)', (t) => {
  const o = { repo: '/r', dest: '/d', ref: 'main' };
  const remote = gitType.facts(o, {} as never).remote!;
  const e = t.throws(() => remote.parse({ stdout: '', stderr: 'sh: 1: git: not found', code: 127 }), { instanceOf: MissingObject, message: /git is not installed/ });
  t.is(e?.code, 'E_FACT');
  t.deepEqual(e?.predicted, ['clone /r into /d at main (or check it out there)']);
});

test('real repo: clone, no-op in one exec, follow the branch, pin a tag and a commit', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const { repo, c1, c2, commit } = makeRepo(dir);
  const dest = join(dir, `-dest $(x) 'q'`);
  const task = git({ repo, dest, ref: 'main', depth: 1 });
  const dry = await run(task, { check: true });
  t.is(dry.status, 'changed');
  t.false(existsSync(dest));
  const first = await run(task);
  t.is(first.status, 'changed', first.error?.message);
  t.is(first.execs, 2);
  t.is(readFileSync(join(dest, 'f.txt'), 'utf8'), 'two');
  t.is(sh(dest, 'rev-parse', 'HEAD'), c2);
  const second = await run(task);
  t.is(second.status, 'ok', second.error?.message);
  t.is(second.execs, 1);
  const c3 = commit('three');
  const third = await run(task);
  t.deepEqual(third.changes, [`checkout main (${c3.slice(0, 10)}), was ${c2.slice(0, 10)}`]);
  t.is(readFileSync(join(dest, 'f.txt'), 'utf8'), 'three');
  const tag = await run(git({ repo: `file://${repo}`, dest, ref: 'v1' }));
  t.is(tag.status, 'changed', tag.error?.message);
  t.is(sh(dest, 'rev-parse', 'HEAD'), c1);
  t.is((await run(git({ repo: `file://${repo}`, dest, ref: 'v1' }))).status, 'ok');
  const pinned = await run(git({ repo: `file://${repo}`, dest, ref: c2 }));
  t.is(pinned.status, 'changed', pinned.error?.message);
  t.is(sh(dest, 'rev-parse', 'HEAD'), c2);
  t.is((await run(git({ repo: `file://${repo}`, dest, ref: c2 }))).execs, 1);
});

test('real repo: a non-empty directory that is not a tree fails; unknown ref fails', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const { repo } = makeRepo(dir);
  const dest = join(dir, 'busy');
  mkdirSync(dest);
  writeFileSync(join(dest, 'x'), '');
  t.regex((await run(git({ repo, dest, ref: 'main' }))).error!.message, /not a git working tree/);
  t.regex((await run(git({ repo, dest: join(dir, 'n'), ref: 'nope' }))).error!.message, /neither a branch nor a tag/);
});

test('validation', (t) => {
  t.throws(() => git({ repo: '--upload-pack=x', dest: '/d', ref: 'main' }), { message: /repo: expected/ });
  t.throws(() => git({ repo: '/r', dest: '/d', ref: '-x' }), { message: /ref: expected/ });
  t.throws(() => git({ repo: '/r', dest: '/d', ref: 'main', depth: 0 }), { message: /depth: expected a positive integer/ });
});

test('real repo: owner chowns the tree; a wrong owner alone is a change', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const { repo } = makeRepo(dir);
  const dest = join(dir, 'tree');
  const task = git({ repo, dest, ref: 'main', owner: 'nobody' });
  t.is((await run(task)).status, 'changed');
  t.is(execFileSync('stat', ['-c', '%U', join(dest, 'f.txt')], { encoding: 'utf8' }).trim(), 'nobody');
  t.is((await run(task)).status, 'ok');
  execFileSync('chown', ['root', dest]);
  t.deepEqual((await run(task)).changes, ['owner root → nobody']);
  t.is((await run(task)).status, 'ok');
});
