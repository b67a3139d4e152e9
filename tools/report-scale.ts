/**
 * How `run report` holds up at 50 hosts (not in CI): boots disposable hosts (set `itrepfifty`), runs
 * tools/report-scale/scale.ts (the example playbook; --failing hosts fail a disk check) through the
 * real `run` binary, renders `run report`, and measures the HTML's size and Debian chromium's headless
 * wall time (--screenshot and --dump-dom, median of 3; and of an empty page: chromium's own start).
 * Prints a Markdown table; the hosts go down at the end unless --keep. The project stays in a
 * temporary directory (printed), for tools/report-shot.ts.
 *
 *   node --import tsx tools/report-scale.ts [--hosts 50] [--failing 3] [--keep]
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { up, writeInventory } from '@runbook/testhosts';

const repo = resolve(import.meta.dirname, '..');
const bin = join(repo, 'apps/cli/dist/bin.js');
const chromium = '/usr/bin/chromium';
const SET = 'itrepfifty';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '50' }, failing: { type: 'string', default: '3' }, keep: { type: 'boolean' } } });
const count = Number(values.hosts);
const failing = Number(values.failing);

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
};
const exec = (file: string, args: string[], cwd = repo) => new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
  execFile(file, args, { cwd, env: { ...process.env, CI: 'true' }, maxBuffer: 1 << 28, timeout: 900_000 }, (err, stdout, stderr) =>
    res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const [hosts, bootS] = await timed(() => up({ set: SET, count }));
try {
  const dir = mkdtempSync(join(tmpdir(), 'rb-report-scale-'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"name":"report-scale","type":"module"}\n');
  writeFileSync(join(dir, 'runbook.config.ts'), `import { defineConfig } from '@runbook/core';
export default defineConfig({ secrets: false, playbookDir: ${JSON.stringify(join(repo, 'tools/report-scale'))} });
`);
  const inventory = join(dir, 'inventories/scale.yml');
  writeInventory(SET, inventory, { user: 'deploy' });
  // every count/failing-th host fails the disk check
  const every = Math.max(1, Math.floor(count / Math.max(1, failing)));
  const failingHosts = hosts.hosts.filter((_, i) => failing > 0 && i % every === every - 1).slice(0, failing).map((h) => h.name);
  writeFileSync(inventory, readFileSync(inventory, 'utf8').replace(/^( {2}(\S+): \{ groups: \[web\])( \})$/gm, (line, head: string, name: string, tail: string) =>
    failingHosts.includes(name) ? `${head}, vars: { fail: true }${tail}` : line));
  const [run, runS] = await timed(() => exec('node', [bin, 'scale', '--env', 'scale'], dir));
  const recap = run.stdout.trim().split('\n').slice(-4).join('\n');
  const report = await exec('node', [bin, 'report'], dir);
  const page = report.stdout.trim();
  if (report.code !== 0 || !page.endsWith('.html')) throw new Error(`run report failed: ${report.stderr}`);
  const html = readFileSync(page, 'utf8');
  const groups = /(\d+) groups? of identical outcomes/.exec(html)?.[1];

  const empty = join(dir, 'empty.html');
  writeFileSync(empty, '<!doctype html><title>empty</title>\n');
  const browse = (args: string[], file = page) => timed(() => exec(chromium, ['--no-sandbox', '--headless', '--disable-gpu', '--window-size=1280,1200', ...args, `file://${file}`], dir));
  const shots: number[] = [];
  const doms: number[] = [];
  const blank: number[] = [];
  for (let i = 0; i < 3; i++) {
    shots.push((await browse([`--screenshot=${join(dir, 'report.png')}`]))[1]);
    doms.push((await browse(['--dump-dom']))[1]);
    blank.push((await browse(['--dump-dom'], empty))[1]);
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(`project: ${dir}\nrun exit ${run.code} in ${runS.toFixed(1)} s (hosts booted in ${bootS.toFixed(1)} s)\n${recap}\n`);
  console.log(`${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpu}, chromium ${execFileSync(chromium, ['--version'], { encoding: 'utf8' }).trim()}`);
  console.log(`| hosts | failing | report | gzip | groups | chromium --screenshot | chromium --dump-dom | --dump-dom of an empty page |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  const gz = execFileSync('gzip', ['-c', page]).length;
  console.log(`| ${count} | ${failingHosts.length} | ${kb(statSync(page).size)} | ${kb(gz)} | ${groups} | ${median(shots).toFixed(2)} s | ${median(doms).toFixed(2)} s | ${median(blank).toFixed(2)} s |`);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  console.log(`\n(medians of 3) screenshot: ${list(shots)} s; dump-dom: ${list(doms)} s; empty page: ${list(blank)} s`);
} finally {
  if (!values.keep) await hosts.down();
}
