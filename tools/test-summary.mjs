#!/usr/bin/env node
// Runs every package's tests through nx and ends with one line that sums ava's counts over all packages:
// `N passed, N failed`. A package whose test run crashed without a count is one failure, never zero.
// A full run (no arguments) then runs the Django and Flask stack tests once more on Debian 13 (trixie; apps/cli's
// `test:trixie`), and tools/ci-generator-check.sh: a plugin freshly made with `nx g @runbook/tools:plugin`,
// built and tested as generated; their counts join the totals.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// ava fails on a package with no test file yet (a freshly scaffolded one): leave such packages out, saying so
const hasTests = (dir) =>
  ['src', 'test'].some((sub) => existsSync(join(dir, sub)) &&
    readdirSync(join(dir, sub), { recursive: true }).some((f) => String(f).endsWith('.test.ts')));
const untested = ['apps', 'plugins', 'tools']
  .flatMap((top) => (existsSync(top) ? readdirSync(top).map((d) => join(top, d)) : []))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.test && !hasTests(dir))
  .map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name);
if (untested.length) console.log(`no tests yet, not run: ${untested.join(', ')}`);

const exclude = untested.length ? [`--exclude=${untested.join(',')}`] : [];
const args = ['nx', 'run-many', '-t', 'test', '--outputStyle=static', '--parallel=1', ...exclude, ...process.argv.slice(2)];
const env = { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0', NO_COLOR: '1' };
let passed = 0;
let failed = 0;
let counted = false;
// ✔ lines since the last summary: once a test failed, ava's summary has no passed count, so these are it
let ticks = 0;
// the failed tests' lines, repeated just above the totals (CI shows the end of a long log)
const failures = [];
const count = (raw) => {
  const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
  if (/^\s*✔ /.test(line)) ticks += 1;
  if (/^\s*✘ /.test(line) && failures.length < 50) failures.push(line.trim().slice(0, 300));
  const m = /^\s*(\d+) (tests?|known failures?|uncaught exceptions?|unhandled rejections?|tests? remained pending after a timeout) ?(passed|failed)?/.exec(line);
  if (!m) return;
  const n = Number(m[1]);
  if (m[3] === 'passed') passed += n, (counted = true), (ticks = 0);
  else if (m[3] === 'failed' || /uncaught|unhandled|pending/.test(m[2])) failed += n, (counted = true), (passed += ticks), (ticks = 0);
};
/** Runs one step, echoing and counting its stdout; a step that fails or counts nothing adds a failure. */
const step = (cmd, stepArgs) => new Promise((resolve) => {
  const child = spawn(cmd, stepArgs, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const failedBefore = failed;
  counted = false;
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop();
    lines.forEach(count);
  });
  child.on('close', (code) => {
    count(buffer);
    if (buffer) process.stdout.write('\n');
    if (code !== 0 && failed === failedBefore) failed += 1; // failed without a test failing: a build or a crash
    if (!counted && code === 0) failed += 1; // nothing ran is a failure
    resolve(code);
  });
});
const codes = [await step('npx', args)];
if (process.argv.length <= 2) {
  codes.push(await step('npm', ['run', '--silent', 'test:trixie', '-w', 'apps/cli']));
  codes.push(await step('bash', ['tools/ci-generator-check.sh']));
}
if (failures.length) console.log(`\nfailed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(codes.every((c) => c === 0) && failed === 0 ? 0 : 1);
