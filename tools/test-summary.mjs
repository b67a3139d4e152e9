#!/usr/bin/env node
// Runs every package's tests through nx and ends with one line that sums ava's counts over all packages:
// `N passed, N failed`. A package whose test run crashed without a count is one failure, never zero.
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
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0', NO_COLOR: '1' } });
let passed = 0;
let failed = 0;
let counted = false;
let buffer = '';
const count = (raw) => {
  const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
  const m = /^\s*(\d+) (tests?|known failures?|uncaught exceptions?|unhandled rejections?|tests? remained pending after a timeout) ?(passed|failed)?/.exec(line);
  if (!m) return;
  const n = Number(m[1]);
  if (m[3] === 'passed') passed += n, (counted = true);
  else if (m[3] === 'failed' || /uncaught|unhandled|pending/.test(m[2])) failed += n, (counted = true);
};
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buffer += chunk.toString();
  const lines = buffer.split('\n');
  buffer = lines.pop();
  lines.forEach(count);
});
child.on('close', (code) => {
  count(buffer);
  if (code !== 0 && failed === 0) failed = 1; // nx failed without a test failing: a build or a crash
  if (!counted && code === 0) failed = 1; // nothing ran is a failure
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
