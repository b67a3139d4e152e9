/**
 * The env's secrets through the real binary on localhost (no test hosts): a missing secrets file is exit 4
 * before anything runs, and no form of a secret reaches the plain lines, the --json events, the terminal
 * view or an error.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../dist/bin.js');
const playbook = join(import.meta.dirname, 'fixtures/secret-forms.ts');
const run = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
    execFile('node', [bin, ...args], { cwd, env: { ...process.env, CI: 'true', LEAK_DIR: cwd, ...env } }, (err, stdout, stderr) =>
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));

function localProject(secrets?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-secrets-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p"}');
  mkdirSync(join(dir, 'inventories'));
  writeFileSync(join(dir, 'inventories/local.yml'), 'hosts:\n  localhost: { hostname: localhost, become: false }\n');
  if (secrets !== undefined) {
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets/local.env'), secrets);
  }
  return dir;
}

test('an env without a secrets file: exit 4 naming the expected files, and nothing runs', async (t) => {
  const dir = localProject();
  const r = await run(dir, [playbook, '--env', 'local']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.regex(r.stderr, /env "local" has no secrets file: expected secrets\/local\.env or secrets\/local\.env\.enc/);
  t.regex(r.stderr, /envs: \{ local: \{ secrets: false \} \}/);
  t.false(existsSync(join(dir, 'leak.txt')), 'no task ran');
});

test('no form of a secret in a plain line, a --json event or an error message; names that contain a short one stay', async (t) => {
  const sentinel = `S3nt${Math.random().toString(36).slice(2, 10)}`;
  const dir = localProject([
    `MULTI="first-${sentinel}\\nsecond-${sentinel}"`,
    `QUOTED="it's-${sentinel}"`,
    'HOSTWORD=local', // also inside "localhost": masked only where it stands alone
    '',
  ].join('\n'));
  const plain = await run(dir, [playbook, '--env', 'local', '--diff', '-v']);
  t.is(plain.code, 1, plain.stdout + plain.stderr);
  t.regex(plain.stdout, /^localhost +FAILED .*exit 7/m, 'the failed task line, host name intact');
  t.regex(plain.stdout, /^\+••••••$/m, 'each diff line of the multi-line secret is masked');
  t.regex(plain.stdout, /^PLAY secret-forms --env •••••• /m, 'the word equal to a secret is masked where it stands alone');
  const json = await run(dir, [playbook, '--env', 'local', '--diff', '--json']);
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; host?: string; error?: { stderr?: string } });
  const failed = events.find((e) => e.type === 'task' && e.error);
  t.is(failed?.host, 'localhost');
  t.truthy(failed?.error?.stderr, 'the event carries the command\'s stderr');
  const error = await run(dir, [playbook, '--env', 'local'], { THROW: '1' });
  t.is(error.code, 4);
  t.regex(error.stderr, /run: error: bad values: "••••••", '••••••'; the second line alone: ••••••/);
  // the terminal view (listr2), in a real pseudo-terminal made by script(1)
  const tty = await new Promise<string>((res) => execFile('script', ['-qec', `node ${bin} ${playbook} --env local --diff`, '/dev/null'],
    { cwd: dir, env: { ...process.env, CI: '', LEAK_DIR: dir, TERM: 'xterm' } }, (_e, stdout) => res(stdout)));
  t.regex(tty, /localhost/, 'the terminal view ran');
  for (const out of [plain.stdout, plain.stderr, json.stdout, json.stderr, error.stderr, tty]) t.false(out.includes(sentinel), out);
});
