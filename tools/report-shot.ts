/**
 * The README's picture of a report (docs/report.png): `run report [RUN]` in a project, rendered by
 * Debian's headless chromium (tools/setup.sh installs it) at a fixed window size. With the project that
 * tools/report-scale.ts leaves (a real run of the example playbook on 50 hosts, 3 of them failing):
 *
 *   node --import tsx tools/report-scale.ts --keep       # prints `project: /tmp/rb-report-scale-…`
 *   node --import tsx tools/report-shot.ts /tmp/rb-report-scale-… [RUN] [--out docs/report.png]
 *   node tools/testhosts/dist/cli.js down --set itrepfifty
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const repo = resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: join(repo, 'docs/report.png') }, size: { type: 'string', default: '1100,1400' } },
});
const [project, run] = positionals;
if (!project) throw new Error('usage: report-shot.ts <project dir> [RUN] [--out docs/report.png] [--size W,H]');

const page = execFileSync('node', [join(repo, 'apps/cli/dist/bin.js'), 'report', ...(run ? [run] : [])], { cwd: project, encoding: 'utf8' }).trim();
const out = resolve(values.out);
execFileSync('/usr/bin/chromium', ['--no-sandbox', '--headless', '--disable-gpu', '--hide-scrollbars', `--window-size=${values.size}`, `--screenshot=${out}`, `file://${page}`], { stdio: 'ignore', timeout: 120_000 });
const kb = statSync(out).size / 1024;
console.log(`${out}: ${kb.toFixed(0)} KiB, from ${page}`);
if (kb > 300) console.log('over 300 KiB: try a smaller --size');
