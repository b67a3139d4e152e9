/** The grouped file fact must say exactly what the per-path fact says, for every kind of path. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileFactCommand, fileStateGroupCommand, parseFileState, splitFileStateGroup, type FileFactArg } from './file-fact.js';

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('grouped and per-path facts agree: files (same, different, too big), directory, symlink, absent, odd names', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-ff-'));
  writeFileSync(join(d, 'same'), 'hello\n');
  writeFileSync(join(d, 'differs'), 'old\n');
  writeFileSync(join(d, 'big'), 'x'.repeat(300));
  writeFileSync(join(d, 'no expectation'), 'line one\n');
  writeFileSync(join(d, "we'ird\\name\nwith newline"), 'odd\n');
  writeFileSync(join(d, 'empty'), '');
  mkdirSync(join(d, 'dir'));
  symlinkSync('/etc/hostname', join(d, 'link'));
  const args: FileFactArg[] = [
    { path: join(d, 'same'), contentLimit: 100, expectSha256: sha('hello\n') },
    { path: join(d, 'differs'), contentLimit: 100, expectSha256: sha('new\n') },
    { path: join(d, 'big'), contentLimit: 100, expectSha256: sha('y') },
    { path: join(d, 'no expectation'), contentLimit: 100 },
    { path: join(d, 'absent'), contentLimit: 100 },
    { path: join(d, "we'ird\\name\nwith newline"), contentLimit: 100, expectSha256: sha('other') },
    { path: join(d, 'dir'), contentLimit: 0 },
    { path: join(d, 'link'), contentLimit: 0 },
    { path: join(d, 'empty'), contentLimit: 0 },
    { path: join(d, 'same'), contentLimit: 0 },
  ];
  const parts = splitFileStateGroup(sh(fileStateGroupCommand(args)), args);
  t.is(parts.length, args.length);
  args.forEach((a, i) => {
    const alone = parseFileState(sh(fileFactCommand(a.path, a.contentLimit, a.expectSha256)));
    t.deepEqual(parseFileState(parts[i]), alone, a.path);
  });
  const states = parts.map(parseFileState);
  t.is(states[0].content, undefined, 'a file that matches sends no content');
  t.is(states[1].content?.toString(), 'old\n', 'a file that differs sends its content for the diff');
  t.is(states[2].content, undefined, 'too big for a diff');
  t.is(states[3].content?.toString(), 'line one\n');
  t.is(states[5].content?.toString(), 'odd\n');
  t.is(states[5].sha256, sha('odd\n'));
  t.is(states[7].target, '/etc/hostname');
  t.is(states[4].kind, 'absent');
});

test('the grouped command spawns stat and sha256sum once, whatever the number of files', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-ff-'));
  const args: FileFactArg[] = Array.from({ length: 30 }, (_, i) => {
    writeFileSync(join(d, `f${i}`), `${i}\n`);
    return { path: join(d, `f${i}`), contentLimit: 1024, expectSha256: sha(`${i}\n`) };
  });
  const script = fileStateGroupCommand(args);
  t.is(script.match(/\bstat -c/g)?.length, 1 + 30, 'one stat for all; the per-file stat only runs when content differs');
  t.is(script.match(/sha256sum/g)?.length, 1);
  const parts = splitFileStateGroup(sh(script), args).map(parseFileState);
  t.true(parts.every((p, i) => p.kind === 'file' && p.sha256 === sha(`${i}\n`) && p.content === undefined));
});
