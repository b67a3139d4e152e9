/** `run vault` through the real binary: encrypt, edit with $EDITOR, decrypt; wrong password exits 4. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
