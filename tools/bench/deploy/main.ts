/**
 * `npm run bench -- --deploy`: the same release-style deploy of apps/demo-django by Runbook, Capistrano,
 * Fabric and a plain ssh script, on test hosts configured by Runbook (see ../README.md, "Deploy").
 *
 *   npm run bench -- --deploy [--sizes 1,10] [--runs 3] [--tool runbook,capistrano,fabric,ssh]
 *                    [--out tools/bench/results/deploy-latest.md] [--probe-ms 200] [--settle 30] [--smoke]
 *
 * --smoke: every tool deploys twice on 1 host, once; checks that each succeeded, times nothing.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type { HostSet } from '@runbook/testhosts';
import { sh } from './proc.js';
import { bootSet, countSince, gunicornLog, mark, quiet, resetHosts } from './hosts.js';
import { startProbe } from './probe.js';
import { benchRepo } from './repo.js';
import { deployTable, type DeployCell, type DeployRun } from './table.js';
import { deployWith, runbookProject, runRunbook, toolVersions, TOOLS, type DeployContext, type ToolName } from './tools.js';

const argv = process.argv.slice(2).filter((a) => a !== '--deploy');
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const smoke = argv.includes('--smoke');
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const sizes = smoke ? [1] : list(opt('sizes', '1,10')).map(Number);
const runs = smoke ? 1 : Number(opt('runs', '1'));
const tools = list(opt('tool', TOOLS.join(','))) as ToolName[];
const probeMs = Number(opt('probe-ms', '200'));
const settleS = smoke ? 0 : Number(opt('settle', '30'));
const out = path.resolve(opt('out', path.join(import.meta.dirname, '../results/deploy-latest.md')));
const log = (s: string) => process.stderr.write(`[bench deploy] ${s}\n`);

const unknown = tools.filter((t) => !TOOLS.includes(t));
const versions = await toolVersions(tools);
const missing = tools.filter((t) => TOOLS.includes(t) && !versions[t]);
if (!sizes.every((n) => Number.isInteger(n) && n > 0) || !(runs >= 1) || !(probeMs > 0) || !(settleS >= 0) || unknown.length || missing.length) {
  console.error(`bench --deploy: ${unknown.length ? `unknown --tool ${unknown.join(', ')}; expected some of ${TOOLS.join(', ')}`
    : missing.length ? `not installed: ${missing.join(', ')} (npm run build; apt-get install capistrano python3-fabric)` : 'bad arguments'}`);
  console.error('usage: bench --deploy [--sizes 1,10] [--runs N] [--tool runbook,capistrano,fabric,ssh] [--out FILE] [--probe-ms 200] [--settle 30] [--smoke]');
  process.exit(4);
}

const started = Date.now();
const loadStart = os.loadavg()[0];
const cells: DeployCell[] = [];
const failures: string[] = [];
// served on the test bridge, which the first boot makes (a machine after `hosts:down` has none)
let repo: Awaited<ReturnType<typeof benchRepo>> | undefined;
const project = runbookProject();
let hs: HostSet | undefined;
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

try {
  for (const size of sizes) {
    hs = await bootSet(size, project);
    repo ??= await benchRepo(path.resolve(import.meta.dirname, '../../../apps/demo-django'));
    const ctx: DeployContext = { hs, repoUrl: repo.url, runbookProject: project };
    const configure = async () => {
      const r = await runRunbook(ctx, 'configure');
      if (r.code !== 0) throw new Error(`run configure: exit ${r.code}: ${(r.stderr || r.stdout).slice(-800)}`);
    };
    log(`${size} host(s) up; configuring (Runbook, untimed)`);
    await configure();
    for (const tool of tools) cells.push({ size, tool, first: [], update: [] });
    for (let run = 0; run < runs; run++) {
      // the order rotates per run: no tool always deploys first (or last) on these hosts
      const order = tools.map((_, i) => tools[(i + run) % tools.length]);
      for (const tool of order) {
        const cell = cells.find((c) => c.size === size && c.tool === tool)!;
        await resetHosts(hs, configure);
        const settled = await quiet(settleS * 1000);
        for (const kind of ['first', 'update'] as const) {
          const sha = kind === 'update' ? await repo!.commit(`${tool} run ${run + 1}`) : await repo!.head();
          const marks = await mark(hs);
          // before the first deploy nothing serves the app yet: requests are counted during the second
          const probe = kind === 'update' ? startProbe(hs.hosts.map((h) => h.address), probeMs) : undefined;
          const d = await deployWith(tool, ctx);
          const p = await probe?.stop();
          const counts = await countSince(hs, marks);
          const wrong = counts.map((c, i) => (c.revision === sha ? '' : `${hs!.hosts[i].name} serves ${c.revision.slice(0, 10)}`)).filter(Boolean);
          const r: DeployRun = { wall: d.wall, sessions: avg(counts.map((c) => c.sessions)), logins: avg(counts.map((c) => c.logins)), probe: p };
          const ok = d.code === 0 && !wrong.length;
          log(`${size} host(s) ${tool} run ${run + 1} ${kind}: ${smoke ? '' : `${d.wall.toFixed(2)} s, `}${r.sessions.toFixed(1)} execs/host, ${r.logins.toFixed(1)} logins/host`
            + `${p ? `, ${p.failed}/${p.total} requests failed, slowest ${(p.slowestMs / 1000).toFixed(1)} s${p.firstFailure ? ` (${p.firstFailure})` : ''}` : ''}${kind === 'first' && settled > 1 ? `, settled ${settled.toFixed(0)} s` : ''}${ok ? '' : ' FAILED'}`);
          if (!ok) {
            failures.push(`${size} host(s) ${tool} ${kind}: ${d.code !== 0 ? `exit ${d.code}: ${(d.stderr + d.stdout).slice(-800)}` : ''} ${wrong.join(', ')} ${await gunicornLog(hs, marks)}`);
            break;
          }
          cell[kind].push(r);
        }
      }
    }
  }
} finally {
  await hs?.down();
  await repo?.close();
  // BENCH_KEEP_RUNS=<dir>: Runbook's run files (every task's status and time) outlive the bench's project
  if (process.env.BENCH_KEEP_RUNS) fs.cpSync(path.join(project, '.runbook/runs'), process.env.BENCH_KEEP_RUNS, { recursive: true });
  fs.rmSync(project, { recursive: true, force: true });
}

if (smoke) {
  for (const t of tools) log(`${t}: ${failures.some((f) => f.includes(` ${t} `)) ? 'FAILED' : 'deployed twice (first, new commit)'}`);
  for (const f of failures) log(f.replace(/\n/g, ' '));
  process.exit(failures.length ? 1 : 0);
}
const rbCommit = (await sh('git', ['rev-parse', '--short', 'HEAD'], { cwd: import.meta.dirname })).stdout.trim();
const head = [
  `# Deploy: Runbook vs Capistrano, Fabric, a plain ssh script — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  '',
  `Machine: ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.cpus()[0]?.model ?? '?'}, Linux ${os.release()}. Node ${process.version}; Runbook at ${rbCommit} (apps/cli/dist as built); ${Object.entries(versions).filter(([k]) => k !== 'runbook').map(([, v]) => v).join('; ')}.`,
  `Median of ${runs} run(s) per cell; failed requests summed over them. Command: \`npm run bench -- --deploy ${argv.join(' ')}\`; bench wall ${((Date.now() - started) / 1000).toFixed(0)} s; 1-min load ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end.`,
  '',
];
const text = [...head, ...deployTable(cells), '', ...(failures.length ? ['Failures:', ...failures.map((f) => `- ${f.replace(/\n/g, ' ')}`), ''] : [])].join('\n');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, text);
console.log(text);
process.exit(failures.length ? 1 : 0);
