/**
 * `run vault encrypt|decrypt|edit <env>`: in place, like ansible-vault. encrypt turns secrets/<env>.env
 * into <env>.env.enc and removes the plain file; decrypt does the reverse; edit opens a decrypted copy in
 * $EDITOR (in a private temp dir, mode 0600) and encrypts it back.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptVault, encryptVault, errors, loadConfig, parseDotenv, secretsPaths, vaultPassword } from '@runbook/core';

const writeAtomic = (file: string, text: string) => {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
};

export async function vaultCommand(argv: string[], cwd = process.cwd()): Promise<number> {
  const [action, env, ...rest] = argv;
  if (!['encrypt', 'decrypt', 'edit'].includes(action ?? '') || !env || rest.length) {
    throw errors.usage('usage: run vault encrypt|decrypt|edit <env>');
  }
  const config = await loadConfig({ cwd, env });
  const { plain, encrypted } = secretsPaths(config.secretsDir, env);
  if (action === 'encrypt') {
    if (!existsSync(plain)) throw errors.vault(`no ${plain} to encrypt`, { file: plain });
    if (existsSync(encrypted)) throw errors.vault(`${encrypted} exists already: use run vault edit ${env}`, { file: encrypted });
    const text = readFileSync(plain, 'utf8');
    parseDotenv(text, plain); // refuse to lock away a file that would not load
    writeAtomic(encrypted, encryptVault(text, await vaultPassword(encrypted)));
    rmSync(plain);
    process.stdout.write(`encrypted ${encrypted}\n`);
    return 0;
  }
  if (!existsSync(encrypted)) throw errors.vault(`no ${encrypted}`, { file: encrypted });
  const password = await vaultPassword(encrypted);
  const text = decryptVault(readFileSync(encrypted, 'utf8'), password, encrypted);
  if (action === 'decrypt') {
    writeAtomic(plain, text);
    rmSync(encrypted);
    process.stdout.write(`decrypted to ${plain} (mode 0600; git-ignored)\n`);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'runbook-vault-'));
  const file = join(dir, `${env}.env`);
  try {
    writeFileSync(file, text, { mode: 0o600 });
    const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
    const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
    if (r.status !== 0) throw errors.vault(`editor exited with ${r.status ?? r.signal}; ${encrypted} is unchanged`, { file: encrypted });
    const edited = readFileSync(file, 'utf8');
    if (edited === text) {
      process.stdout.write('no change\n');
      return 0;
    }
    parseDotenv(edited, `${env}.env (edited)`);
    writeAtomic(encrypted, encryptVault(edited, password));
    process.stdout.write(`updated ${encrypted}\n`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
