import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDotenv, renderDotenv } from './dotenv.js';
import { loadSecrets } from './secrets-file.js';
import { MASK } from './secret.js';
import { decryptVault, encryptVault, VAULT_HEADER } from './vault.js';

test('a vault round-trips and carries no plaintext', (t) => {
  const text = 'DJANGO_SECRET_KEY=very-secret-value\n';
  const sealed = encryptVault(text, 'pw');
  t.true(sealed.startsWith(VAULT_HEADER));
  t.false(sealed.includes('very-secret-value'));
  t.is(decryptVault(sealed, 'pw', 'prod.env.enc'), text);
});

test('a wrong password or a changed byte fails loudly, naming the file', (t) => {
  const sealed = encryptVault('A=1\n', 'pw');
  t.throws(() => decryptVault(sealed, 'nope', 'prod.env.enc'), { message: /wrong password/ });
  const lines = sealed.split('\n');
  const body = Buffer.from(lines.slice(1).join(''), 'base64');
  body[body.length - 1] ^= 1;
  const tampered = `${lines[0]}\n${body.toString('base64')}\n`;
  const e = t.throws(() => decryptVault(tampered, 'pw', 'prod.env.enc'));
  t.is((e as { details?: { file?: string } }).details?.file, 'prod.env.enc');
});

const dotenv = test.macro((t, text: string, expected: Record<string, string>) => t.deepEqual(parseDotenv(text, 'x.env'), expected));
test('dotenv: plain, export, comments', dotenv, '# c\nexport A=1\nB = two # note\n\n', { A: '1', B: 'two' });
test('dotenv: quotes keep #, spaces and escapes', dotenv, `A="x # y"\nB='a b'\nC="l1\\nl2"`, { A: 'x # y', B: 'a b', C: 'l1\nl2' });
test('dotenv: = inside values', dotenv, 'URL=postgres://u:p@h/db?x=1', { URL: 'postgres://u:p@h/db?x=1' });

test('dotenv: a bad line names the file and line', (t) => {
  t.throws(() => parseDotenv('A=1\nnot a pair\n', 'prod.env'), { message: /expected KEY=value/ });
  const e = t.throws(() => parseDotenv('A=1\nnot a pair\n', 'prod.env')) as unknown as { details: { line: number; file: string } };
  t.is(e.details.line, 2);
});

test('renderDotenv output parses back to the same values', (t) => {
  const values = { A: 'plain', B: 'has space', C: 'q"uote', D: 'multi\nline', E: 'back\\slash', F: 'not\\nnewline' };
  t.deepEqual(parseDotenv(renderDotenv(values), 'x'), values);
});

test('loadSecrets: every value is a Secret; a plain and an encrypted file together is an error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-secrets-'));
  writeFileSync(join(dir, 'stg.env'), 'TOKEN=abc-secret-123\n');
  const secrets = await loadSecrets({ secretsDir: dir }, 'stg');
  t.is(secrets.TOKEN.reveal(), 'abc-secret-123');
  t.is(String(secrets.TOKEN), MASK);
  writeFileSync(join(dir, 'stg.env.enc'), encryptVault('TOKEN=x\n', 'pw'));
  await t.throwsAsync(loadSecrets({ secretsDir: dir }, 'stg'), { message: /both .* exist/ });
});

test('dotenv: a value with newlines, quotes, $ and backticks is written so systemd and sh read it unchanged, and parses back', (t) => {
  const values = { KEY: '-----BEGIN KEY-----\nabc$HOME `x` "q" \\n\\\n-----END KEY-----', PLAIN: 'x' };
  const text = renderDotenv(values);
  t.is(text, 'KEY="-----BEGIN KEY-----\nabc\\$HOME \\`x\\` \\"q\\" \\\\n\\\\\n-----END KEY-----"\nPLAIN=x\n');
  t.deepEqual(parseDotenv(text, 'x.env'), values);
  t.deepEqual(parseDotenv('A="line 1\nline 2"\nB=2\n', 'x.env'), { A: 'line 1\nline 2', B: '2' });
  t.throws(() => parseDotenv('A="never closed\nB=2\n', 'x.env'), { message: /double-quoted value of A is never closed/ });
});

test('dotenv: what sh reads from the rendered file is the value', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const value = 'a\nb $HOME `id` "q" \\ end';
  const file = join(mkdtempSync(join(tmpdir(), 'rb-env-')), '.env');
  writeFileSync(file, renderDotenv({ V: value }));
  t.is(execFileSync('sh', ['-c', `set -a; . "${file}"; printf %s "$V"`]).toString(), value);
});
