import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { loadPrivateKey, signingOnce } from './private-key.js';

const { utils } = ssh2;
interface Key { sign(data: Buffer, algo?: string): Buffer | Error; verify(data: Buffer, sig: Buffer, algo?: string): boolean | Error }
const data = Buffer.from('session id and userauth request, as a login signs them');

// [key type, options, hash algorithms a login may ask for (undefined: the key type's own)]
const kinds: [string, 'ed25519' | 'ecdsa' | 'rsa', object, (string | undefined)[]][] = [
  ['ed25519', 'ed25519', {}, [undefined]],
  ['ecdsa P-256', 'ecdsa', { bits: 256 }, [undefined]],
  ['rsa (ssh-rsa, rsa-sha2-256, rsa-sha2-512)', 'rsa', { bits: 2048 }, [undefined, 'sha256', 'sha512']],
];

for (const [what, type, opts, algos] of kinds) {
  test(`an identity file (${what}) loads into a key whose login signatures the public key verifies`, async (t) => {
    const pair = utils.generateKeyPairSync(type, opts as never);
    const file = join(mkdtempSync(join(tmpdir(), 'rb-key-')), 'id');
    writeFileSync(file, pair.private, { mode: 0o600 });
    const key = (await loadPrivateKey(file, 'web-1')) as Key;
    const pub = utils.parseKey(pair.public) as unknown as Key;
    for (const algo of algos) {
      const sig = key.sign(data, algo);
      t.true(Buffer.isBuffer(sig), `signs (${algo ?? 'default hash'})`);
      t.is(pub.verify(data, sig as Buffer, algo), true, `verifies (${algo ?? 'default hash'})`);
    }
  });
}

test('an ed25519 signature is the one ssh2 itself makes (ed25519 signatures are deterministic)', (t) => {
  const pair = utils.generateKeyPairSync('ed25519');
  const plain = utils.parseKey(pair.private) as unknown as Key;
  const once = signingOnce(utils.parseKey(pair.private) as unknown as Key);
  t.deepEqual(once.sign(data), plain.sign(data));
  t.true(Object.hasOwn(once, 'sign'), 'ssh2 still keeps the PEM where signingOnce looks for it: logins sign without decoding it again');
});

test('a key ssh2 made without the PEM signingOnce looks for is returned as it was', (t) => {
  const key = { sign: () => Buffer.from('x') };
  t.is(signingOnce(key), key);
  t.deepEqual(key.sign(), Buffer.from('x'));
});
