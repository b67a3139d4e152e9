/** The write scripts in a real shell: byte-exact content, mode and owner, nothing left behind. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWriteScript, groupedWriteScript, type GroupedWrite } from './atomic-write.js';

const run = (script: string) => execFileSync('sh', ['-c', `set -e\n${script}`], { encoding: 'utf8' });
const tricky = "-n 'quoted' \"double\" \\back\\slash %s %d $HOME `id` ünïcødé\n\nno trailing newline";

test('text with mode, owner and group: written by the shell itself, renamed once', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  const path = join(d, 'conf');
  const script = atomicWriteScript({ path, content: Buffer.from(tricky), mode: '0640', owner: 'root', group: 'root' });
  t.notRegex(script, /mktemp|base64|install/, 'no program writes the content');
  run(script);
  t.is(readFileSync(path, 'utf8'), tricky);
  t.is((statSync(path).mode & 0o7777).toString(8), '640');
  t.deepEqual(readdirSync(d), ['conf'], 'no temp file left');
  run(atomicWriteScript({ path, content: Buffer.from(''), mode: '0600', owner: 'root', group: 'root' }));
  t.is(readFileSync(path, 'utf8'), '');
  t.is((statSync(path).mode & 0o7777).toString(8), '600');
});

const write = (path: string, content: string, extra: Partial<GroupedWrite> = {}): GroupedWrite =>
  ({ path, content, mode: '0644', owner: 'root', group: 'root', ...extra });

test('a group of writes: per directory one stage and one mv; modes, owners and content all land', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  mkdirSync(join(d, 'a'));
  mkdirSync(join(d, 'b'));
  const ws = [
    write(join(d, 'a', 'one'), 'one\n'),
    write(join(d, 'a', 'two'), tricky, { mode: '0600', owner: 'nobody', group: 'nogroup' }),
    write(join(d, 'a', 'run'), '#!/bin/sh\n', { mode: '0755' }),
    write(join(d, 'b', 'alone'), 'alone\n', { mode: '4750', owner: 'nobody', group: 'root' }),
  ];
  const script = groupedWriteScript(ws, (i) => `echo member ${i}`);
  t.is(script.match(/\bmv\b/g)?.length, 2, 'one rename pass per directory');
  t.is(script.match(/\bchown\b/g)?.length, 3, 'one chown per owner and directory');
  t.deepEqual(run(script).trim().split('\n'), ['member 0', 'member 3'], 'a mark where each directory starts');
  t.is(readFileSync(join(d, 'a', 'two'), 'utf8'), tricky);
  const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);
  t.deepEqual(['one', 'two', 'run'].map((f) => mode(join(d, 'a', f))), ['644', '600', '755']);
  t.is(mode(join(d, 'b', 'alone')), '4750', 'chmod after chown keeps the setuid bit');
  t.is(statSync(join(d, 'a', 'two')).uid, Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })));
  t.deepEqual(readdirSync(join(d, 'a')).sort(), ['one', 'run', 'two'], 'the stage is gone');
  t.deepEqual(readdirSync(join(d, 'b')), ['alone']);
});

test('a failing group: the directories before are done, the failing one untouched, no stage left', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  mkdirSync(join(d, 'a'));
  mkdirSync(join(d, 'c'));
  writeFileSync(join(d, 'c', 'x'), 'old\n');
  const ws = [
    write(join(d, 'a', 'one'), 'one\n'),
    write(join(d, 'c', 'x'), 'new\n'),
    write(join(d, 'c', 'y'), 'new\n', { owner: 'no-such-user-rb' }),
  ];
  const e = t.throws(() => execFileSync('sh', ['-c', `set -e\n${groupedWriteScript(ws, (i) => `echo member ${i}`)}`], { encoding: 'utf8', stdio: 'pipe' }));
  t.regex(String((e as { stdout?: string }).stdout), /member 1\s*$/, 'the last mark names the first write of the failing directory');
  t.is(readFileSync(join(d, 'a', 'one'), 'utf8'), 'one\n');
  t.is(readFileSync(join(d, 'c', 'x'), 'utf8'), 'old\n', 'nothing of the failed directory was renamed');
  t.deepEqual(readdirSync(join(d, 'c')), ['x'], 'no stage left');
});

test('a root-owned file in a setgid directory still gets group root', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  execFileSync('chgrp', ['nogroup', d]);
  execFileSync('chmod', ['2775', d]);
  run(groupedWriteScript([write(join(d, 'f'), 'x\n'), write(join(d, 'g'), 'y\n')]));
  t.is(statSync(join(d, 'f')).gid, 0);
  t.is(statSync(join(d, 'g')).gid, 0);
});

test('a new file that must not exist yet: refused when it appeared since the facts were read', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  const path = join(d, 'conf');
  const script = atomicWriteScript({ path, content: Buffer.from('a = 1\n'), expectSha256: 'absent' });
  t.notRegex(script, /mktemp|base64/, 'the grouped path: a new file has no old attributes to keep');
  writeFileSync(path, 'someone else\n');
  t.throws(() => execFileSync('sh', ['-c', `set -e\n${script}`], { stdio: 'pipe' }), { message: /changed since its facts were read/ });
  t.is(readFileSync(path, 'utf8'), 'someone else\n');
  rmSync(path);
  run(script);
  t.is(readFileSync(path, 'utf8'), 'a = 1\n');
  t.is((statSync(path).mode & 0o7777).toString(8), '644');
  t.deepEqual(readdirSync(d), ['conf']);
});

test('binary content, or attributes left to the old file, take the general path', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  const path = join(d, 'bin');
  const bytes = Buffer.from([0, 1, 2, 255, 10, 0]);
  const script = atomicWriteScript({ path, content: bytes, mode: '0644', owner: 'root', group: 'root' });
  t.regex(script, /base64 -d/);
  run(script);
  t.deepEqual(readFileSync(path), bytes);
  t.regex(atomicWriteScript({ path, content: Buffer.from('x') }), /mktemp/, 'no mode: keeps the old file\'s');
  t.deepEqual(readdirSync(d), ['bin']);
});

test('a failed write leaves the target as it was and no temp file', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  const path = join(d, 'conf');
  run(atomicWriteScript({ path, content: Buffer.from('old\n'), mode: '0644', owner: 'root', group: 'root' }));
  t.throws(() => run(atomicWriteScript({ path, content: Buffer.from('new\n'), mode: '0644', owner: 'no-such-user-rb', group: 'root' })));
  t.is(readFileSync(path, 'utf8'), 'old\n');
  t.deepEqual(readdirSync(d), ['conf']);
});
