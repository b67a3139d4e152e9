/**
 * `run vault` through the real binary: encrypt, edit with $EDITOR, decrypt; wrong password exits 4; a
 * signal while the editor runs leaves no decrypted copy; a parse error reopens the editor with the edits.
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const bin = resolve(import.meta.dirname, '../dist/bin.js');
const run = (cwd: string, args: string[], env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
    execFile('node', [bin, ...args], { cwd, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));

test('encrypt, edit and decrypt in place; the password comes from RUNBOOK_VAULT_PASSWORD', async (t) => {
  const project = mkdtempSync(join(tmpdir(), 'rb-vault-'));
  mkdirSync(join(project, 'secrets'));
  writeFileSync(join(project, 'package.json'), '{"name":"p"}');
  writeFileSync(join(project, 'secrets/prod.env'), 'SECRET_KEY=first-value\n');
  const env = { RUNBOOK_VAULT_PASSWORD: 'correct horse' };
  const enc = await run(project, ['vault', 'encrypt', 'prod'], env);
  t.is(enc.code, 0, enc.stderr);
  t.false(existsSync(join(project, 'secrets/prod.env')));
  t.false(readFileSync(join(project, 'secrets/prod.env.enc'), 'utf8').includes('first-value'));

  const editor = join(project, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i s/first-value/second-value/ "$1"\n', { mode: 0o755 });
  const edit = await run(project, ['vault', 'edit', 'prod'], { ...env, EDITOR: editor });
  t.is(edit.code, 0, edit.stderr);
  t.regex(edit.stdout, /updated/);

  const wrong = await run(project, ['vault', 'decrypt', 'prod'], { RUNBOOK_VAULT_PASSWORD: 'nope' });
  t.is(wrong.code, 4);
  t.regex(wrong.stderr, /wrong password/);

  const dec = await run(project, ['vault', 'decrypt', 'prod'], env);
  t.is(dec.code, 0, dec.stderr);
  t.is(readFileSync(join(project, 'secrets/prod.env'), 'utf8'), 'SECRET_KEY=second-value\n');
  t.is(statSync(join(project, 'secrets/prod.env')).mode & 0o777, 0o600);
});

const password = { RUNBOOK_VAULT_PASSWORD: 'correct horse' };

/** A project with secrets/prod.env.enc holding `text`, and a private TMPDIR to look into afterwards. */
async function sealedProject(text: string) {
  const project = mkdtempSync(join(tmpdir(), 'rb-vault-'));
  mkdirSync(join(project, 'secrets'));
  mkdirSync(join(project, 'tmp'));
  writeFileSync(join(project, 'package.json'), '{"name":"p"}');
  writeFileSync(join(project, 'secrets/prod.env'), text);
  const enc = await run(project, ['vault', 'encrypt', 'prod'], password);
  if (enc.code !== 0) throw new Error(enc.stderr);
  const editor = (script: string) => {
    const path = join(project, 'editor.sh');
    writeFileSync(path, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return { ...password, EDITOR: path, TMPDIR: join(project, 'tmp') };
  };
  const decrypted = async () => {
    const dec = await run(project, ['vault', 'decrypt', 'prod'], password);
    if (dec.code !== 0) throw new Error(dec.stderr);
    return readFileSync(join(project, 'secrets/prod.env'), 'utf8');
  };
  return { project, editor, decrypted, tmp: join(project, 'tmp') };
}

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal} while the editor runs: exit ${code}, no decrypted copy left, the vault unchanged`, async (t) => {
    const p = await sealedProject('SECRET_KEY=first-value\n');
    // the editor notes where the copy is, changes it, then waits to be stopped
    const env = p.editor(`echo "$1" > ${p.project}/opened; sed -i s/first-value/never-sealed/ "$1"; i=0; while [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done`);
    const child = spawn('node', [bin, 'vault', 'edit', 'prod'], { cwd: p.project, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<string>((res) => child.on('exit', (c, s) => res(`${c ?? s}`)));
    const opened = join(p.project, 'opened');
    const written = () => existsSync(opened) && readFileSync(opened, 'utf8').endsWith('\n');
    for (let i = 0; i < 600 && !written(); i++) await sleep(50);
    const copy = readFileSync(opened, 'utf8').trim();
    t.true(copy.startsWith(p.tmp), 'the copy is in TMPDIR');
    t.true(existsSync(copy), 'the decrypted copy exists while the editor runs');
    child.kill(signal);
    t.is(await exited, String(code), stderr);
    t.false(existsSync(copy));
    t.deepEqual(readdirSync(p.tmp), [], 'nothing left in the temp dir');
    t.is(await p.decrypted(), 'SECRET_KEY=first-value\n');
  });
}

test('a parse error reopens the editor with the edits and the error; a fix seals them', async (t) => {
  const p = await sealedProject('SECRET_KEY=first-value\n');
  const count = join(p.project, 'count');
  const seen = join(p.project, 'seen');
  const env = p.editor([
    `n=$(($(cat ${count} 2>/dev/null || echo 0) + 1)); echo $n > ${count}`,
    // first: a real edit plus a broken line; second: the edit is still there, drop the broken line
    `if [ $n = 1 ]; then sed -i s/first-value/second-value/ "$1"; echo 'not a pair' >> "$1"; fi`,
    `if [ $n = 2 ]; then cp "$1" ${seen}; sed -i '/^not a pair$/d' "$1"; fi`,
  ].join('\n'));
  const edit = await run(p.project, ['vault', 'edit', 'prod'], env);
  t.is(edit.code, 0, edit.stderr);
  t.regex(edit.stderr, /prod\.env \(edited\):4: expected KEY=value/);
  t.regex(edit.stderr, /reopening the editor with your edits/);
  const second = readFileSync(seen, 'utf8');
  t.regex(second, /^SECRET_KEY=second-value$/m, 'the reopened file keeps the edit');
  t.regex(second, /^# run vault edit: .*:4: expected KEY=value/m, 'and names the error, at the line it has in the editor');
  t.is(await p.decrypted(), 'SECRET_KEY=second-value\n', 'the note lines are not sealed');
  t.deepEqual(readdirSync(p.tmp), []);
});

test('a parse error, then quitting without a change, gives up: exit 4, the vault unchanged', async (t) => {
  const p = await sealedProject('SECRET_KEY=first-value\n');
  const env = p.editor(`grep -q '^SHORT=' "$1" || echo 'SHORT=ab' >> "$1"`);
  const edit = await run(p.project, ['vault', 'edit', 'prod'], env);
  t.is(edit.code, 4, edit.stderr);
  t.regex(edit.stderr, /SHORT: a value of 2 character\(s\) cannot be masked safely/);
  t.regex(edit.stderr, /gave up: .*prod\.env\.enc is unchanged/);
  t.is(await p.decrypted(), 'SECRET_KEY=first-value\n');
  t.deepEqual(readdirSync(p.tmp), []);
});
