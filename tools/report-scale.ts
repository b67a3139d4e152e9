/**
 * How `run report` holds up at 50 hosts (not in CI): boots disposable hosts (set `itrepfifty`), runs
 * tools/report-scale/scale.ts (the example playbook; --failing hosts fail a disk check) through the
 * real `run` binary, renders `run report`, and measures the page: its size, and Debian chromium's
 * headless wall time for --screenshot and --dump-dom (median of 3) next to an empty page's (chromium's
 * own start), and the page's load + layout inside chromium (an iframe's onload, then its scrollHeight;
 * median of 5, against an empty page's). Prints a Markdown table. The hosts go down at the end unless
 * --keep; the project stays in a temporary directory (printed), for tools/report-shot.ts and for
 * measuring again without a run (--project DIR).
 *
 *   node --import tsx tools/report-scale.ts [--hosts 50] [--failing 3] [--keep]
 *   node --import tsx tools/report-scale.ts --project /tmp/rb-report-scale-…
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

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '50' }, failing: { type: 'string', default: '3' }, keep: { type: 'boolean' }, project: { type: 'string' } },
});

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
};
const exec = (file: string, args: string[], cwd = repo) => new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
  execFile(file, args, { cwd, env: { ...process.env, CI: 'true' }, maxBuffer: 1 << 28, timeout: 900_000 }, (err, stdout, stderr) =>
    res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const list = (xs: number[], digits = 2) => xs.map((x) => x.toFixed(digits)).join(', ');

/** Boots the hosts, runs the playbook in a new project; returns the project. */
async function runScale(count: number, failing: number): Promise<string> {
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
    // every (count/failing)-th host fails the disk check
    const every = Math.max(1, Math.floor(count / Math.max(1, failing)));
    const failingHosts = hosts.hosts.filter((_, i) => failing > 0 && i % every === every - 1).slice(0, failing).map((h) => h.name);
    writeFileSync(inventory, readFileSync(inventory, 'utf8').replace(/^( {2}(\S+): \{ groups: \[web\])( \})$/gm, (line, head: string, name: string, tail: string) =>
      failingHosts.includes(name) ? `${head}, vars: { fail: true }${tail}` : line));
    const [run, runS] = await timed(() => exec('node', [bin, 'scale', '--env', 'scale'], dir));
    console.log(`project: ${dir}\nrun exit ${run.code} in ${runS.toFixed(1)} s on ${count} hosts (${failingHosts.join(', ')} failing; booted in ${bootS.toFixed(1)} s)`);
    return dir;
  } finally {
    if (!values.keep) await hosts.down();
  }
}

/** An HTML page that loads `page` in an iframe and writes the time to its onload, after a layout, into the DOM. */
function loadTimer(dir: string, page: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, `<!doctype html><script>const t0 = performance.now();
function done(f) { let h = -1; try { h = f.contentDocument.documentElement.scrollHeight; } catch (e) {}
  document.body.dataset.ms = (performance.now() - t0).toFixed(1); document.body.dataset.height = h; }</script>
<iframe src="file://${page}" style="width:1280px;height:1200px" onload="done(this)"></iframe>
`);
  return file;
}

async function measure(dir: string): Promise<void> {
  const report = await exec('node', [bin, 'report'], dir);
  const page = report.stdout.trim();
  if (report.code !== 0 || !page.endsWith('.html')) throw new Error(`run report failed: ${report.stderr}`);
  const html = readFileSync(page, 'utf8');
  const hosts = /<p>(\d+) hosts?/.exec(html)?.[1];
  const groups = /(\d+) groups? of identical outcomes/.exec(html)?.[1];
  const empty = join(dir, 'empty.html');
  writeFileSync(empty, '<!doctype html><title>empty</title>\n');
  const browse = (args: string[], file: string) =>
    timed(() => exec(chromium, ['--no-sandbox', '--headless', '--disable-gpu', '--allow-file-access-from-files', '--window-size=1280,1200', ...args, `file://${file}`], dir));
  const wall = { shot: [] as number[], dom: [] as number[], empty: [] as number[] };
  for (let i = 0; i < 3; i++) {
    wall.shot.push((await browse([`--screenshot=${join(dir, 'report.png')}`], page))[1]);
    wall.dom.push((await browse(['--dump-dom'], page))[1]);
    wall.empty.push((await browse(['--dump-dom'], empty))[1]);
  }
  const inPage = { report: [] as number[], empty: [] as number[] };
  let height = '';
  for (let i = 0; i < 5; i++) {
    for (const [key, file] of [['report', page], ['empty', empty]] as const) {
      const [out] = await browse(['--dump-dom'], loadTimer(dir, file, `timer-${key}.html`));
      const m = /data-ms="([\d.]+)" data-height="(-?\d+)"/.exec(out.stdout);
      if (!m) throw new Error(`no load time in chromium's DOM: ${out.stdout.slice(0, 300)}`);
      inPage[key].push(Number(m[1]));
      if (key === 'report') height = m[2];
    }
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} × ${cpus()[0]?.model.trim()}, ` +
    `${execFileSync(chromium, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}; ${page}`);
  console.log('| hosts | groups | report | gzipped | page height at 1280 px | load + layout (empty page) | chromium --screenshot | --dump-dom | --dump-dom, empty page |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${hosts} | ${groups} | ${kb(statSync(page).size)} | ${kb(execFileSync('gzip', ['-c', page]).length)} | ${height} px | ` +
    `${median(inPage.report).toFixed(0)} ms (${median(inPage.empty).toFixed(0)} ms) | ${median(wall.shot).toFixed(2)} s | ${median(wall.dom).toFixed(2)} s | ${median(wall.empty).toFixed(2)} s |`);
  console.log(`\nall: screenshot ${list(wall.shot)} s; dump-dom ${list(wall.dom)} s; empty ${list(wall.empty)} s; ` +
    `load + layout ${list(inPage.report, 0)} ms, empty ${list(inPage.empty, 0)} ms`);
}

await measure(values.project ?? (await runScale(Number(values.hosts), Number(values.failing))));
