/**
 * `run vault encrypt|decrypt|edit <env>`: in place, like ansible-vault. encrypt turns secrets/<env>.env
 * into <env>.env.enc and removes the plain file; decrypt does the reverse; edit opens a decrypted copy in
 * $EDITOR (in a private temp dir, mode 0600) and encrypts it back.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptVault, encryptVault, errors, loadConfig, parseSecrets, RunbookError, secretsPaths, vaultPassword } from '@runbook/core';

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
    parseSecrets(text, plain); // refuse to lock away a file that would not load
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
  return editVault(env, encrypted, password, text);
}

// lines we put on top of the file after a parse error; removed before the file is sealed
const notePrefix = '# run vault edit: ';
const withNote = (error: string, text: string) =>
  `${notePrefix}${error.replace(/\n/g, ' ')}\n${notePrefix}fix it and save to seal the file, or quit without saving to give up; these lines are removed\n${text}`;
const withoutNote = (text: string) => text.replace(new RegExp(`^(?:${notePrefix}.*\\n)+`), '');

/**
 * The decrypted copy lives in a private temp dir (the editor's swap files too) that is removed on every
 * way out: done, an error, a signal while the editor runs. A file that does not parse is reopened with
 * the edits and the error on top, until it parses or the editor quits without a change.
 */
async function editVault(env: string, encrypted: string, password: string, original: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-vault-'));
  const file = join(dir, `${env}.env`);
  const removeCopy = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeCopy); // whatever ends the process from here on
  try {
    writeFileSync(file, original, { mode: 0o600 });
    let rejected: string | undefined;
    for (;;) {
      const r = await runEditor(file, removeCopy);
      if (r.code !== 0) throw errors.vault(`editor exited with ${r.code ?? r.signal}; ${encrypted} is unchanged`, { file: encrypted });
      const edited = withoutNote(readFileSync(file, 'utf8'));
      if (edited === original) {
        process.stdout.write(`no change; ${encrypted} is unchanged\n`);
        return 0;
      }
      try {
        // parsed as it will be reopened: the note lines are comments, and errors name the lines the editor shows
        parseSecrets(withNote('', edited), `${env}.env (edited)`);
      } catch (e) {
        if (!(e instanceof RunbookError)) throw e;
        if (edited === rejected) throw errors.vault(`${e.toString()}; gave up: ${encrypted} is unchanged`, { file: encrypted });
        rejected = edited;
        process.stderr.write(`run vault: ${e.toString()}\nrun vault: reopening the editor with your edits and this error on top (quit without saving to give up)\n`);
        writeFileSync(file, withNote(e.toString(), edited), { mode: 0o600 });
        continue;
      }
      writeAtomic(encrypted, encryptVault(edited, password));
      process.stdout.write(`updated ${encrypted}\n`);
      return 0;
    }
  } finally {
    removeCopy();
    process.off('exit', removeCopy);
  }
}

const signalExit = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof signalExit;

/**
 * Runs $VISUAL / $EDITOR on the file (`exec`, so a signal to the child reaches the editor itself). A
 * SIGINT, SIGTERM or SIGHUP while it runs abandons the edit: the signal goes on to the editor (SIGKILL
 * after 2 s, or at a second signal), `cleanup` runs once it is gone, and the process exits 128+n.
 */
function runEditor(file: string, cleanup: () => void): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  let stopping: StopSignal | undefined;
  let exited = false;
  const leave = () => {
    cleanup();
    process.exit(signalExit[stopping!]);
  };
  // installed before the editor starts: a signal in between must not kill us with the copy on disk
  const onSignal = (sig: StopSignal) => {
    if (stopping) return void child.kill('SIGKILL');
    stopping = sig;
    if (exited) return leave();
    child.once('exit', leave);
    child.kill(sig);
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  };
  const signals = Object.keys(signalExit) as StopSignal[];
  signals.forEach((s) => process.on(s, onSignal));
  const restore = () => signals.forEach((s) => process.off(s, onSignal));
  const child = spawn('/bin/sh', ['-c', `exec ${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      exited = true;
      restore();
      reject(errors.vault(`cannot start the editor (${editor}): ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      exited = true;
      if (stopping) return;
      restore();
      resolve({ code, signal });
    });
  });
}
