/**
 * Run files, `run history` and `run report` through the real binary on localhost (no test hosts): a
 * sentinel secret reaches neither the run file nor the page, a killed run keeps its file, and Debian's
 * chromium (tools/setup.sh installs it) renders the page with the host and the failed task's message.
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../dist/bin.js');
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const run = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
    execFile('node', [bin, ...args], { cwd, env: { ...process.env, CI: 'true', LEAK_DIR: cwd, ...env } }, (err, stdout, stderr) =>
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));

function localProject(secrets: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-runfiles-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p"}');
  mkdirSync(join(dir, 'inventories'));
  writeFileSync(join(dir, 'inventories/local.yml'), 'hosts:\n  localhost: { hostname: localhost, become: false }\n');
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets/local.env'), secrets);
  return dir;
}
const runFiles = (dir: string) => readdirSync(join(dir, '.runbook/runs')).map((n) => join(dir, '.runbook/runs', n));
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);

test('a failing run with secrets: its run file, history line and report page, with no form of the secret', async (t) => {
  const sentinel = `S3nt${Math.random().toString(36).slice(2, 10)}`;
  const dir = localProject(`MULTI="first-${sentinel}\\nsecond-${sentinel}"\nQUOTED="it's-${sentinel}"\n`);
  const r = await run(dir, [fixture('secret-forms.ts'), '--env', 'local', '--diff', '-e', `pw=${sentinel}`]);
  t.is(r.code, 1, r.stdout + r.stderr);
  const [file] = runFiles(dir);
  t.is(statSync(file).mode & 0o777, 0o600);
  const text = readFileSync(file, 'utf8');
  t.false(text.includes(sentinel), text);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; exitCode?: number; argv?: string[] });
  t.like(lines[0], { type: 'header', env: 'local', hosts: ['localhost'] });
  t.true(lines[0].argv!.includes('…'), 'the -e value is left out');
  t.like(lines.at(-1), { type: 'result', exitCode: 1 });
  t.true(lines.some((l) => l.type === 'task'));

  const h = await run(dir, ['history', '--env', 'local']);
  t.is(h.code, 0, h.stderr);
  t.regex(h.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S+@\S+ +secret-forms\.ts +- +exit 1 +failed: localhost$/m);

  const rep = await run(dir, ['report']);
  t.is(rep.code, 0, rep.stderr);
  const page = rep.stdout.trim();
  t.regex(page, /\.runbook\/reports\/\d{8}T\d{6}Z-[0-9a-f]{6}\.html$/);
  const html = readFileSync(page, 'utf8');
  t.false(html.includes(sentinel));
  t.regex(html, /failed \(exit 7\)/);
  t.false(/<script|<link/i.test(html));

  if (!chromium) return t.fail('chromium is not installed: tools/setup.sh installs it (apt-get install chromium)');
  const shot = join(dir, 'report.png');
  const browser = (args: string[]) => new Promise<string>((res, rej) =>
    execFile(chromium, ['--no-sandbox', '--headless', '--disable-gpu', '--window-size=1280,1200', ...args, `file://${page}`], { timeout: 60_000, maxBuffer: 1 << 24 },
      (err, stdout) => (err ? rej(err) : res(stdout))));
  await browser([`--screenshot=${shot}`]);
  t.true(statSync(shot).size > 10_000, 'a screenshot with something on it');
  const dom = await browser(['--dump-dom']);
  t.regex(dom, /<td>localhost<\/td>/);
  // the tasks, each with its status: the file written, the command that failed
  t.regex(dom, /<span class="st changed">changed<\/span><\/td><td class="task"><b>file\.content<\/b> [^<]*leak\.txt/);
  t.regex(dom, /<span class="st failed">failed<\/span><\/td><td class="task"><b>command\.run<\/b>/);
  t.regex(dom, /failed \(exit 7\)/);
  t.false(dom.includes(sentinel));
});

async function interruptAfterFirstTask(signal: NodeJS.Signals) {
  const dir = localProject('KEY="not-needed-here"\n');
  const child = spawn('node', [bin, fixture('slow.ts'), '--env', 'local'], { cwd: dir, env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const runs = join(dir, '.runbook/runs');
  // the first task's event on disk: the run is in its second, slow phase
  for (let i = 0; i < 200; i++) {
    if (existsSync(runs) && readdirSync(runs).length && readFileSync(runFiles(dir)[0], 'utf8').includes('"type":"task"')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill(signal);
  const code = await exited;
  return { dir, code, text: readFileSync(runFiles(dir)[0], 'utf8') };
}

test('a run killed mid-way (kill -9) keeps its file with the events so far; history shows it as interrupted', async (t) => {
  const { dir, text } = await interruptAfterFirstTask('SIGKILL');
  t.regex(text, /"type":"header"/);
  t.regex(text, /"type":"task","host":"localhost".*"title":"true","status":"changed"/);
  t.notRegex(text, /"type":"result"/, 'nothing of the run’s own ending ran');
  const h = await run(dir, ['history', '--env', 'local']);
  t.regex(h.stdout, /slow\.ts +- +interrupted +unfinished: localhost$/m);
});

test('a run stopped by Ctrl-C ends its file with the result: exit 130, the signal, the recap', async (t) => {
  const { code, text } = await interruptAfterFirstTask('SIGINT');
  t.is(code, 130);
  const last = JSON.parse(text.trim().split('\n').at(-1)!) as { type: string; exitCode: number; interrupted?: string; hosts: Record<string, unknown> };
  t.like(last, { type: 'result', exitCode: 130, interrupted: 'SIGINT' });
  t.deepEqual(Object.keys(last.hosts), ['localhost']);
});
