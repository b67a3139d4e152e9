/** The committed `run` entry point: executable in git, starts as a program, says what to do when unbuilt. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const pkgDir = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};
const bin = join(pkgDir, pkg.bin.run);
const exec = (file: string, args: string[], cwd = pkgDir) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
    execFile(file, args, { cwd }, (err, stdout, stderr) =>
      // a number is the exit status; a spawn error (EACCES: no run bit) has a string code and no status
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr: stderr || String(err ?? '') })));

test('the bin is committed with its run bit: a fresh clone gets it executable', async (t) => {
  t.is(pkg.bin.run, './bin/run.js');
  t.not(statSync(bin).mode & 0o111, 0, `${bin} is not executable: chmod +x and git update-index --chmod=+x`);
  const staged = await exec('git', ['ls-files', '--stage', '--', pkg.bin.run]);
  t.regex(staged.stdout, /^100755 /, `git records ${pkg.bin.run} without its run bit: git update-index --chmod=+x`);
});

test('the bin runs as a program (shebang, run bit) and answers --version', async (t) => {
  const r = await exec(bin, ['--version'], tmpdir());
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `runbook ${pkg.version}\n`);
});

test('unbuilt (no dist/), the bin says to run the build and exits 1', async (t) => {
  const copy = mkdtempSync(join(tmpdir(), 'rb-bin-'));
  mkdirSync(join(copy, 'bin'));
  copyFileSync(bin, join(copy, 'bin/run.js'));
  const r = await exec('node', [join(copy, 'bin/run.js'), '--version']);
  t.is(r.code, 1);
  t.regex(r.stderr, /dist\/bin\.js does not exist.*npm run build/);
});

test('the packed package holds the bin and the build it imports', async (t) => {
  const r = await exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
  t.is(r.code, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  t.true(files.includes('bin/run.js'), files.join(' '));
  t.true(files.includes('dist/bin.js'), files.join(' '));
});
