import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunbookError } from './errors.js';
import { mask, MASK, secret } from './secret.js';
import { loadSecrets, requireSecrets } from './secrets-file.js';
import { encryptVault } from './vault.js';

const project = (files: Record<string, string> = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-secrets-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
const failure = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof RunbookError)) throw new Error(`expected a RunbookError, got ${String(e)}`);
  return e;
};

test('an env without a secrets file is bad input naming both expected paths and the config key', async (t) => {
  const dir = project();
  const e = await failure(loadSecrets({ secretsDir: dir, file: join(dir, 'runbook.config.ts') }, 'stg'));
  t.is(e.code, 'E_SECRETS');
  t.true(e.isBadInput);
  t.regex(e.message, /env "stg" has no secrets file: expected \S*stg\.env or \S*stg\.env\.enc/);
  t.regex(e.message, /envs: \{ stg: \{ secrets: false \} \}/);
});

test('secrets: false: no file is no secrets; a file that exists anyway is an error', async (t) => {
  const dir = project();
  t.deepEqual(await loadSecrets({ secretsDir: dir, secrets: false }, 'ci'), {});
  writeFileSync(join(dir, 'ci.env'), 'TOKEN=abcdef\n');
  const e = await failure(loadSecrets({ secretsDir: dir, secrets: false }, 'ci'));
  t.is(e.code, 'E_SECRETS');
  t.regex(e.message, /secrets: false.*ci\.env exists/);
});

test('an encrypted file alone is loaded with the vault password', async (t) => {
  const dir = project({ 'prod.env.enc': encryptVault('SECRET_KEY=sealed-value-1\n', 'pw') });
  process.env.RUNBOOK_VAULT_PASSWORD = 'pw';
  try {
    t.is((await loadSecrets({ secretsDir: dir }, 'prod')).SECRET_KEY.reveal(), 'sealed-value-1');
  } finally {
    delete process.env.RUNBOOK_VAULT_PASSWORD;
  }
});

test('a value too short to mask is an error naming file, line and key; an empty value is fine', async (t) => {
  const dir = project({ 'stg.env': 'SECRET_KEY=long-enough-value\nEMPTY=\nDEBUG=0\n' });
  const e = await failure(loadSecrets({ secretsDir: dir }, 'stg'));
  t.is(e.code, 'E_SECRETS');
  t.true(e.isBadInput);
  t.like(e.details, { line: 3, key: 'DEBUG' });
  t.regex(e.toString(), /stg\.env:3: DEBUG: a value of 1 character\(s\) cannot be masked safely in output \(at least 4\)/);
  writeFileSync(join(dir, 'stg.env'), 'SECRET_KEY=long-enough-value\nEMPTY=\nPIN=1234\n');
  const ok = await loadSecrets({ secretsDir: dir }, 'stg');
  t.is(ok.EMPTY.reveal(), '');
  t.is(mask('pin 1234 in use'), `pin ${MASK} in use`, 'a value of the minimum length is masked');
});

test('requireSecrets: a missing key names the secrets file and the key; present keys pass', (t) => {
  const dir = project({ 'stg.env': 'OTHER=x\n' });
  const ctx = { env: 'stg', config: { secretsDir: dir }, secrets: { SECRET_KEY: secret('present-value') } };
  t.notThrows(() => requireSecrets(ctx, ['SECRET_KEY'], 'app'));
  const e = t.throws(() => requireSecrets(ctx, ['SECRET_KEY', 'API_TOKEN'], 'app'), { instanceOf: RunbookError })!;
  t.is(e.code, 'E_SECRETS');
  t.regex(e.toString(), /stg\.env: API_TOKEN: required by app, but not set/);
  const empty = { ...ctx, secrets: { ...ctx.secrets, API_TOKEN: secret('') } };
  t.throws(() => requireSecrets(empty, ['API_TOKEN'], 'app'), { message: /required by app, but empty/ });
});

test('requireSecrets: with secrets: false the error names the config instead', (t) => {
  const ctx = { env: 'ci', config: { secretsDir: '/nonexistent', secrets: false, file: '/p/runbook.config.ts' }, secrets: {} };
  const e = t.throws(() => requireSecrets(ctx, ['SECRET_KEY'], 'app'), { instanceOf: RunbookError })!;
  t.regex(e.message, /app needs the secret SECRET_KEY, but env "ci" has no secrets file \(secrets: false in \S*runbook\.config\.ts\)/);
});
