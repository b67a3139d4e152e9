/**
 * Runbook vs Ansible on the same play (plays/configure.ts, plays/configure.yml) against local test hosts.
 *
 *   npm run bench -- [--sizes 1,10,50] [--tool runbook,ansible] [--ansible default,fast,mitogen] [--runs 1]
 *                    [--runs-at 50=1] [--out tools/bench/results/latest.md] [--skip ansible-default@50] [--max-cell 600]
 *                    [--set bench] [--phases]
 *
 * For each size, each tool (Ansible in each setting) and each run: the test-host set (`--set`, default
 * `bench`; give another name when a second bench or a helper session shares the machine) is re-upped (a clean
 * host), the play runs twice (first run, no-op run). Printed: one markdown table of medians, also written
 * to --out with the date and the machine. Needs root (test hosts), ansible-core and GNU time.
 * `--deploy`: the deploy bench instead (deploy/main.ts: Runbook vs Capistrano, Fabric, an ssh script).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { up, writeInventory, type HostSet } from '@runbook/testhosts';
import { cpuRows } from './cpu-table.ts';
import { hostsCpuSeconds } from './host-cpu.ts';
import { busy } from './machine-busy.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'apps/cli/dist/bin.js');
const plays = path.join(import.meta.dirname, 'plays');

// the deploy bench (Runbook vs Capistrano, Fabric, an ssh script) is a program of its own
if (process.argv.includes('--deploy')) await import('./deploy/main.js');

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0 && argv[i + 1] !== undefined) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : def;
};
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const sizes = list(opt('sizes', '1,10,50')).map(Number);
const tools = list(opt('tool', 'runbook,ansible'));
const ansibleModes = list(opt('ansible', 'default,fast,mitogen'));
const runs = Number(opt('runs', '1'));
/** `--runs-at 50=1`: fewer runs for a size whose Ansible cells take minutes each */
const runsAt = new Map(list(opt('runs-at', '')).map((x) => x.split('=').map(Number) as [number, number]));
const runsFor = (size: number) => runsAt.get(size) ?? runs;
const out = path.resolve(opt('out', path.join(import.meta.dirname, 'results/latest.md')));
const skips = new Set(list(opt('skip', '')));
/** A cell (first + no-op run) projected to take longer than this many seconds is skipped. */
const maxCell = Number(opt('max-cell', '600'));
/** The test-host set (hosts `${SET}1`…): one of its own per bench running on the machine. */
const SET = opt('set', 'bench');
/** Runbook runs get tools/bench/phases.mjs preloaded: when each host connected, logged in, ran its execs. */
const phases = argv.includes('--phases');
if (!sizes.every((n) => Number.isInteger(n) && n > 0) || !(runs >= 1) || tools.some((t) => t !== 'runbook' && t !== 'ansible')
  || ansibleModes.some((m) => !['default', 'fast', 'mitogen'].includes(m)) || [...runsAt].some(([k, v]) => !(k > 0) || !(v >= 1)) || !/^[a-z](?:[a-z0-9-]{0,30}[a-z])?$/.test(SET)) {
  console.error('usage: bench [--sizes 1,10,50] [--tool runbook,ansible] [--ansible default,fast,mitogen] [--runs N] [--runs-at SIZE=N,…] [--out FILE] [--skip tool@size,…] [--max-cell SECONDS] [--set NAME] [--phases]');
  process.exit(4);
}
const variants = tools.flatMap((t) => (t === 'runbook' ? ['runbook'] : ansibleModes.map((m) => `ansible-${m}`)));

// ---------------------------------------------------------------- process helpers
const sh = (cmd: string, args: string[], o: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((res) => execFile(cmd, args, { cwd: o.cwd, maxBuffer: 256 << 20 }, (err, stdout, stderr) =>
    res({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr })));

const readNum = (f: string): number => { try { return Number(fs.readFileSync(f, 'utf8').trim()); } catch { return 0; } };


/**
 * Hosts answer ssh before their systemd is done booting, and the set they replaced is still being
 * deleted: a run started then measures the boot too, and a 1-second run more than a 20-second one. So
 * every host's boot is waited for (`systemctl is-system-running --wait`, one login each, as a real
 * server has had logins before), then until the machine is quiet (under 15% busy over half a second,
 * at most 30 s). Both tools get the same.
 */
async function settle(hs: HostSet): Promise<void> {
  const t0 = Date.now();
  await Promise.all(hs.hosts.map((h) => sh('ssh', ['-F', hs.sshConfigFile, h.name, 'timeout 60 systemctl is-system-running --wait >/dev/null'])));
  while (Date.now() - t0 < 30_000 && (await busy(500)) > 0.15);
  log(`  settled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Every descendant of pid (through /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const outPids: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    let tids: string[] = [];
    try { tids = fs.readdirSync(`/proc/${p}/task`); } catch { continue; }
    for (const t of tids) {
      let kids = '';
      try { kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8'); } catch { continue; }
      for (const k of kids.split(' ').filter(Boolean).map(Number)) { outPids.push(k); stack.push(k); }
    }
  }
  return outPids;
}
const pssKiB = (pid: number): number => {
  try { return Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
};

interface Measured { code: number; stdout: string; stderr: string; wall: number; maxRssMiB: number; treePssMiB: number; cpuS: number }

/**
 * Runs the tool under GNU time (%M: the largest resident set of any single process of the run — the
 * controller itself for both tools; %U + %S: CPU seconds of the tool and the children it reaped) and samples the PSS sum of its whole process tree every 200 ms.
 */
function measure(cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Measured> {
  const timeFile = path.join(o.cwd, `.time-${process.hrtime.bigint()}`);
  return new Promise((res, rej) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, cmd, ...args], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    let peak = 0;
    const sample = () => {
      if (!child.pid) return;
      const sum = descendants(child.pid).reduce((s, p) => s + pssKiB(p), 0);
      if (sum > peak) peak = sum;
    };
    const timer = setInterval(sample, 200);
    child.on('error', rej);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      clearInterval(timer);
      let [maxRss, user, sys] = [0, 0, 0];
      try { [maxRss, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number); fs.rmSync(timeFile); } catch { /* no time output */ }
      res({ code: code ?? 1, stdout, stderr, wall, maxRssMiB: maxRss / 1024, treePssMiB: peak / 1024, cpuS: user + sys });
    });
  });
}

// ---------------------------------------------------------------- per-host counters
const slotOf = (address: string) => Number(address.split('.').pop()) - 10;
/** Bytes the control machine sent to each host: tx of the host's veth on the bridge (frames incl. headers). */
const wireSent = (hs: HostSet): number[] => hs.hosts.map((h) => readNum(`/sys/class/net/rbthv${slotOf(h.address)}/statistics/tx_bytes`));

/** sudo invocations logged so far on the first host: read before and after a run, a tool-neutral count of become execs. */
async function sudoTotal(hs: HostSet): Promise<number | undefined> {
  const r = await sh('ssh', ['-F', hs.sshConfigFile, '-o', 'BatchMode=yes', `root@${hs.hosts[0].name}`,
    "journalctl -q -o cat SYSLOG_IDENTIFIER=sudo | grep -c 'COMMAND=' || true"]);
  return r.code === 0 ? Number(r.stdout.trim()) : undefined;
}
const minus = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);

const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

// ---------------------------------------------------------------- tools
interface RunResult {
  wall: number; execs: number; wireKiB: number; toolKiB?: number; sudo?: number; maxRssMiB: number; treePssMiB: number; changed: number; failures: string[];
  /** CPU seconds of the tool's process tree (GNU time %U + %S), and inside the hosts (host-cpu.ts) */
  toolCpuS: number; hostsCpuS: number;
  /** from phases.mjs (Runbook with --phases): ms since the process started */
  phases?: { firstConnect: number; lastLogin: number; medianConnectMs: number; medianExecMs: number; lastExecEnd: number; exit: number };
}
interface Tool { prepare(hs: HostSet): void; run(hs: HostSet, kind: 'first' | 'noop'): Promise<RunResult>; cleanup(): Promise<void> }

function runbookTool(): Tool {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-bench-'));
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'));
  return {
    prepare() {
      writeInventory(SET, path.join(project, 'inventories/bench.yml'), { user: 'deploy' });
      // the play reads no secrets file; the config says so (a missing one is otherwise exit 4)
      fs.writeFileSync(path.join(project, '.runbookrc.json'), JSON.stringify({ secrets: false }));
    },
    async run(hs, kind) {
      const before = wireSent(hs);
      const sudo0 = await sudoTotal(hs);
      const cpu0 = hostsCpuSeconds(hs);
      const phasesFile = path.join(project, `phases-${kind}.json`);
      const m = await measure('node', [...(phases ? ['--import', path.join(import.meta.dirname, 'phases.mjs')] : []), bin, path.join(plays, 'configure.ts'), '--env', 'bench', '--json', '--stats'],
        { cwd: project, env: { ...process.env, CI: 'true', ...(phases ? { RUNBOOK_BENCH_PHASES: phasesFile } : {}) } });
      const hostsCpuS = hostsCpuSeconds(hs) - cpu0;
      const after = wireSent(hs);
      const failures: string[] = [];
      let recap: Record<string, { changed: number; failed: number; unreachable: boolean; execs: number; bytesSent: number }> = {};
      try {
        const last = JSON.parse(m.stdout.trim().split('\n').pop() ?? '');
        if (last.type !== 'recap') throw new Error('no recap');
        recap = last.hosts;
      } catch { failures.push(`runbook ${kind}: exit ${m.code}, no recap: ${(m.stderr || m.stdout).slice(-600)}`); }
      if (m.code !== 0) failures.push(`runbook ${kind}: exit ${m.code}: ${(m.stderr || m.stdout).slice(-600)}`);
      const rs = hs.hosts.map((h) => recap[h.name]).filter(Boolean);
      const changed = avg(rs.map((r) => r.changed));
      return {
        wall: m.wall, maxRssMiB: m.maxRssMiB, treePssMiB: m.treePssMiB, changed, failures, toolCpuS: m.cpuS, hostsCpuS,
        ...(phases && fs.existsSync(phasesFile) ? { phases: JSON.parse(fs.readFileSync(phasesFile, 'utf8')) } : {}),
        execs: avg(rs.map((r) => r.execs)),
        toolKiB: avg(rs.map((r) => r.bytesSent)) / 1024,
        wireKiB: avg(after.map((a, i) => a - before[i])) / 1024,
        sudo: minus(await sudoTotal(hs), sudo0),
      };
    },
    async cleanup() { fs.rmSync(project, { recursive: true, force: true }); },
  };
}

function ansibleTool(mode: 'default' | 'fast' | 'mitogen', size: number): Tool {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), `ans-bench-${mode}-`));
  const wrap = path.join(project, 'bin');
  const log = path.join(project, 'ssh.log');
  const cp = path.join(project, 'cp');
  fs.mkdirSync(wrap);
  fs.mkdirSync(cp);
  // ssh/sftp/scp found first on PATH: each invocation (a remote exec or a file transfer) logs its host.
  for (const b of ['ssh', 'sftp', 'scp']) {
    fs.writeFileSync(path.join(wrap, b), [
      '#!/bin/sh',
      `h=-; for a in "$@"; do case "$a" in ${SET}[0-9]*|*@${SET}[0-9]*) h="\${a#*@}";; esac; done`,
      `echo "$h ${b}" >> ${JSON.stringify(log)}`,
      `exec /usr/bin/${b} "$@"`,
      '',
    ].join('\n'), { mode: 0o755 });
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${wrap}:/usr/sbin:/usr/bin:/sbin:/bin`, // Debian's ansible on /usr/bin/python3, not a pyenv shim
    ANSIBLE_CONFIG: path.join(project, 'ansible.cfg'), // empty: only the settings below
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: path.join(project, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
  };
  fs.writeFileSync(env.ANSIBLE_CONFIG!, '# settings come from the environment (tools/bench/bench.ts)\n');
  if (mode !== 'default') {
    Object.assign(env, {
      ANSIBLE_FORKS: String(size),
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_SSH_ARGS: '-C -o ControlMaster=auto -o ControlPersist=600s',
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    });
  }
  if (mode === 'mitogen') env.ANSIBLE_STRATEGY = 'mitogen_linear';
  const inventory = path.join(project, 'hosts.ini');
  return {
    prepare(hs) {
      fs.writeFileSync(inventory, [
        '[bench]', ...hs.hosts.map((h) => h.name), '',
        '[bench:vars]',
        'ansible_user=deploy',
        'ansible_become=true',
        `ansible_ssh_common_args='-F ${hs.sshConfigFile}'`,
        '',
      ].join('\n'));
    },
    async run(hs, kind) {
      fs.writeFileSync(log, '');
      const before = wireSent(hs);
      const sudo0 = await sudoTotal(hs);
      const cpu0 = hostsCpuSeconds(hs);
      const m = await measure('ansible-playbook', ['-i', inventory, path.join(plays, 'configure.yml')], { cwd: project, env });
      const hostsCpuS = hostsCpuSeconds(hs) - cpu0;
      const after = wireSent(hs);
      const failures: string[] = [];
      if (m.code !== 0) failures.push(`ansible-${mode} ${kind}: exit ${m.code}: ${(m.stdout + m.stderr).slice(-1200)}`);
      const recap = new Map<string, { changed: number; failed: number; unreachable: number }>();
      for (const l of m.stdout.split('\n')) {
        const r = /^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(l);
        if (r) recap.set(r[1], { changed: Number(r[2]), unreachable: Number(r[3]), failed: Number(r[4]) });
      }
      if (recap.size !== hs.hosts.length) failures.push(`ansible-${mode} ${kind}: recap for ${recap.size} of ${hs.hosts.length} hosts`);
      const perHost = new Map<string, number>();
      for (const l of fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
        const h = l.split(' ')[0];
        perHost.set(h, (perHost.get(h) ?? 0) + 1);
      }
      return {
        wall: m.wall, maxRssMiB: m.maxRssMiB, treePssMiB: m.treePssMiB, failures, toolCpuS: m.cpuS, hostsCpuS,
        changed: avg([...recap.values()].map((r) => r.changed)),
        execs: avg(hs.hosts.map((h) => perHost.get(h.name) ?? 0)),
        wireKiB: avg(after.map((a, i) => a - before[i])) / 1024,
        sudo: minus(await sudoTotal(hs), sudo0),
      };
    },
    async cleanup() {
      // ControlPersist masters started by this tool: ask each to exit through its socket (never by name)
      for (const s of fs.readdirSync(cp)) await sh('/usr/bin/ssh', ['-o', `ControlPath=${path.join(cp, s)}`, '-O', 'exit', 'bench-cp']);
      fs.rmSync(project, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- the bench
interface Cell { size: number; variant: string; first: RunResult[]; noop: RunResult[]; note?: string }
const cells: Cell[] = [];
const failures: string[] = [];
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

const benchStarted = Date.now();
const loadStart = os.loadavg()[0];
let hs: HostSet | undefined;
try {
  for (const size of sizes) {
    for (const variant of variants) {
      const cell: Cell = { size, variant, first: [], noop: [] };
      cells.push(cell);
      if (skips.has(`${variant}@${size}`)) { cell.note = 'skipped (--skip)'; continue; }
      // project a cell's time from the same variant at the previous size (linear in hosts)
      const prev = [...cells].reverse().find((c) => c.variant === variant && c.size < size && c.first.length);
      if (prev) {
        const est = (median(prev.first.map((r) => r.wall)) + median(prev.noop.map((r) => r.wall))) * (size / prev.size);
        if (est > maxCell) { cell.note = `skipped: projected ${Math.round(est)} s > ${maxCell} s from ${prev.size} hosts`; log(`${variant} @ ${size}: ${cell.note}`); continue; }
      }
      const n = runsFor(size);
      for (let r = 0; r < n; r++) {
        const t0 = Date.now();
        hs = await up({ set: SET, count: size }); // replaces the set: clean hosts
        log(`${variant} @ ${size} hosts, run ${r + 1}/${n}: hosts up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await settle(hs);
        const tool = variant === 'runbook' ? runbookTool() : ansibleTool(variant.slice('ansible-'.length) as 'default', size);
        try {
          tool.prepare(hs);
          for (const kind of ['first', 'noop'] as const) {
            const res = await tool.run(hs, kind);
            if (kind === 'first' && !(res.changed > 0)) res.failures.push(`${variant} first: nothing changed`);
            if (kind === 'noop' && res.changed !== 0) res.failures.push(`${variant} no-op: ${res.changed} changed per host`);
            failures.push(...res.failures.map((f) => `${size} hosts: ${f}`));
            cell[kind].push(res);
            log(`  ${kind}: ${res.wall.toFixed(2)} s, ${res.execs.toFixed(1)} execs/host, ${res.wireKiB.toFixed(1)} KiB/host, changed ${res.changed.toFixed(1)}/host, sudo ${res.sudo ?? '?'} (host 1), peak ${res.maxRssMiB.toFixed(0)} MiB, tree PSS ${res.treePssMiB.toFixed(0)} MiB, CPU tool ${res.toolCpuS.toFixed(2)} s + hosts ${res.hostsCpuS.toFixed(2)} s${res.phases ? `, phases ${JSON.stringify(res.phases)}` : ''}${res.failures.length ? ' FAILED' : ''}`);
            if (res.failures.length) break;
          }
        } finally {
          await tool.cleanup();
        }
      }
    }
  }
} finally {
  await hs?.down();
}

// ---------------------------------------------------------------- the table
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : '–');
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const med = (rs: RunResult[], k: keyof RunResult) => median(rs.map((r) => r[k] as number).filter((x) => typeof x === 'number'));
const rows: string[] = [
  '| hosts | tool | first s | no-op s | execs/host first / no-op | sudo/host first / no-op | KiB sent/host (wire) first / no-op | peak RSS MiB | tree PSS MiB | Runbook/this: first, no-op |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const c of cells) {
  if (c.note && !c.first.length) { rows.push(`| ${c.size} | ${c.variant} | ${c.note} ||||||||`); continue; }
  const rb = cells.find((x) => x.size === c.size && x.variant === 'runbook' && x.first.length && x.noop.length);
  const ratio = rb && c.variant !== 'runbook' && c.noop.length
    ? `${(med(rb.first, 'wall') / med(c.first, 'wall')).toFixed(2)}, ${(med(rb.noop, 'wall') / med(c.noop, 'wall')).toFixed(2)}` : '';
  const tk = c.variant === 'runbook' ? ` (tool: ${f1(med(c.first, 'toolKiB'))} / ${f1(med(c.noop, 'toolKiB'))})` : '';
  rows.push(`| ${c.size} | ${c.variant} | ${f1(med(c.first, 'wall'))} | ${f1(med(c.noop, 'wall'))} | ${f1(med(c.first, 'execs'))} / ${f1(med(c.noop, 'execs'))} | ${f0(med(c.first, 'sudo'))} / ${f0(med(c.noop, 'sudo'))} | ${f1(med(c.first, 'wireKiB'))} / ${f1(med(c.noop, 'wireKiB'))}${tk} | ${f0(Math.max(med(c.first, 'maxRssMiB'), med(c.noop, 'maxRssMiB')))} | ${f0(Math.max(med(c.first, 'treePssMiB'), med(c.noop, 'treePssMiB')))} | ${ratio} |`);
}
// per size: the fastest Ansible setting measured, and Runbook's lead over it
const leads: string[] = [];
for (const size of sizes) {
  const rb = cells.find((c) => c.size === size && c.variant === 'runbook' && c.first.length && c.noop.length);
  const ans = cells.filter((c) => c.size === size && c.variant !== 'runbook' && c.first.length && c.noop.length);
  if (!rb || !ans.length) continue;
  const bestFirst = ans.reduce((a, b) => (med(b.first, 'wall') < med(a.first, 'wall') ? b : a));
  const bestNoop = ans.reduce((a, b) => (med(b.noop, 'wall') < med(a.noop, 'wall') ? b : a));
  leads.push(`- ${size} host${size > 1 ? 's' : ''}: first run ${(med(bestFirst.first, 'wall') / med(rb.first, 'wall')).toFixed(1)}× faster than ${bestFirst.variant} (its fastest), `
    + `no-op ${(med(bestNoop.noop, 'wall') / med(rb.noop, 'wall')).toFixed(1)}× faster than ${bestNoop.variant}`);
}
const ansibleVersion = (await sh('ansible-playbook', ['--version'])).stdout.split('\n')[0] ?? '?';
const mitogenVersion = (await sh('dpkg-query', ['-W', '-f', '${Version}', 'ansible-mitogen'])).stdout || 'not installed';
const machine = `${os.cpus().length} CPUs (nproc), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.cpus()[0]?.model ?? '?'}, Linux ${os.release()}`;
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const head = [
  `# Runbook vs Ansible — ${date}`,
  '',
  `Machine: ${machine}. Node ${process.version}; ${ansibleVersion.trim()}; ansible-mitogen ${mitogenVersion}.`,
  `Runs per cell: ${runs}${runsAt.size ? ` (${[...runsAt].map(([k, v]) => `${v} at ${k} hosts`).join(', ')})` : ''} (median). Command: \`npm run bench -- ${argv.join(' ')}\`; bench wall ${((Date.now() - benchStarted) / 1000).toFixed(0)} s; 1-min load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end (other work on the machine skews the numbers).`,
  '',
];
const cpu = cpuRows(cells);
const text = [...head, ...rows, '', ...(cpu.length ? [...cpu, ''] : []), ...(leads.length ? ['Runbook against the fastest Ansible setting at each size:', ...leads, ''] : []), ...(failures.length ? ['Failures:', ...failures.map((f) => `- ${f.replace(/\n/g, ' ')}`), ''] : [])].join('\n');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, text);
console.log(text);
process.exit(failures.length ? 1 : 0);
