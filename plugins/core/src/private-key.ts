/**
 * Private keys: parsed with ssh2's parser so a wrong passphrase is caught here, with the file named.
 * Passphrase from RUNBOOK_SSH_PASSPHRASE, else a prompt when there is a terminal.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { errors } from './errors.js';

const cache = new Map<string, Promise<unknown>>();

async function askPassphrase(file: string): Promise<string | undefined> {
  if (process.env.RUNBOOK_SSH_PASSPHRASE) return process.env.RUNBOOK_SSH_PASSPHRASE;
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await rl.question(`Passphrase for ${file}: `);
  } finally {
    rl.close();
  }
}

export function loadPrivateKey(file: string, alias: string): Promise<unknown> {
  let p = cache.get(file);
  if (!p) {
    p = (async () => {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (e) {
        throw errors.auth(alias, `cannot read identity file ${file}: ${(e as Error).message}`);
      }
      const ssh2 = await import('ssh2');
      const { utils } = (ssh2 as unknown as { default?: typeof ssh2 }).default ?? ssh2;
      let parsed = utils.parseKey(data);
      if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
        const passphrase = await askPassphrase(file);
        if (passphrase === undefined) throw errors.auth(alias, `identity file ${file} is encrypted: set RUNBOOK_SSH_PASSPHRASE or run in a terminal`);
        parsed = utils.parseKey(data, passphrase);
      }
      if (parsed instanceof Error) throw errors.auth(alias, `cannot use identity file ${file}: ${parsed.message}`);
      return signingOnce(Array.isArray(parsed) ? parsed[0] : parsed);
    })();
    cache.set(file, p);
  }
  return p;
}

/**
 * ssh2 signs each login with the key's PEM text, which OpenSSL decodes again every time: ~2 ms of CPU
 * per host, the largest share of a login's client-side cost at 200 hosts. The key here signs with a
 * KeyObject decoded once (same signature; ssh2's own `sign` does the rest). If ssh2 no longer keeps the
 * PEM where this looks for it, the key is left as ssh2 made it.
 */
export function signingOnce<K extends object>(key: K): K {
  const k = key as K & { sign?: (data: Buffer, algo?: string) => unknown } & Record<symbol, unknown>;
  const pemSymbol = Object.getOwnPropertySymbols(k).find((s) => s.description === 'Private key PEM');
  if (!pemSymbol || typeof k[pemSymbol] !== 'string' || typeof k.sign !== 'function') return key;
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(k[pemSymbol] as string);
  } catch {
    return key;
  }
  const sign = k.sign;
  // the same key seen through an object whose PEM is the decoded key: crypto.sign takes either
  const decoded = Object.create(k, { [pemSymbol]: { value: keyObject } });
  Object.defineProperty(k, 'sign', { value: (data: Buffer, algo?: string) => sign.call(decoded, data, algo) });
  return key;
}
