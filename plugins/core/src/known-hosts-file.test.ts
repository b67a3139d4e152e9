import test from 'ava';
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownHostsLines } from './known-hosts-file.js';

// `ssh-keygen -H` form of a name: |1|salt|HMAC-SHA1(salt, name)
const hashed = (name: string, salt = Buffer.from('0123456789abcdef0123')) =>
  `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

const file = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'rb-kh-')), 'known_hosts');
  writeFileSync(f, text);
  return f;
};

// which lines (1-based) of the file name the host: the lines the verdict is built from
const cases: [string, string, string, number[]][] = [
  ['a plain name', 'web1 ssh-ed25519 K1\nweb2 ssh-ed25519 K2\n', 'web2', [2]],
  ['names in any case', 'WEB1 ssh-ed25519 K1\n', 'web1', [1]],
  ['a name in a comma list, with its address', 'web1,10.0.0.1 ssh-ed25519 K1\n', '10.0.0.1', [1]],
  ['a non-standard port', '[web1]:2222 ssh-ed25519 K1\nweb1 ssh-ed25519 K2\n', '[web1]:2222', [1]],
  ['a wildcard pattern', '*.example.com ssh-ed25519 K1\n', 'db.example.com', [1]],
  ['a ? pattern', 'web? ssh-ed25519 K1\n', 'web7', [1]],
  ['a negated name rules a pattern out', 'web*,!web3 ssh-ed25519 K1\n', 'web3', []],
  ['a hashed name', `${hashed('web1')} ssh-ed25519 K1\n`, 'web1', [1]],
  ['a hashed name of another host', `${hashed('web2')} ssh-ed25519 K1\n`, 'web1', []],
  ['comments, blank lines, short lines and @cert-authority are skipped',
    '# web1 ssh-ed25519 K0\n\nweb1 ssh-ed25519\n@cert-authority web1 ssh-ed25519 K9\nweb1 ssh-ed25519 K1\n', 'web1', [5]],
  ['plain and pattern lines come back in file order', 'web* ssh-ed25519 K1\nweb1 ssh-ed25519 K2\n*1 ssh-ed25519 K3\n', 'web1', [1, 2, 3]],
  ['a dot in a name is no wildcard', 'web1.example ssh-ed25519 K1\n', 'web1xexample', []],
];

for (const [what, text, name, lines] of cases) {
  test(`known_hosts lines for a name: ${what}`, (t) => {
    t.deepEqual(knownHostsLines(file(text), name).map((l) => l.line), lines);
  });
}

test('a @revoked line keeps its marker and key', (t) => {
  const [l] = knownHostsLines(file('@revoked web1 ssh-ed25519 K1\n'), 'web1');
  t.deepEqual({ line: l.line, marker: l.marker, key: l.key }, { line: 1, marker: '@revoked', key: 'K1' });
});

test('a missing file names no lines', (t) => {
  t.deepEqual(knownHostsLines(join(tmpdir(), 'rb-kh-none', 'known_hosts'), 'web1'), []);
});

test('a line appended after the first lookup (accept-new recording a key) is seen by the next', (t) => {
  const f = file('web1 ssh-ed25519 K1\n');
  t.deepEqual(knownHostsLines(f, 'web2'), []);
  appendFileSync(f, 'web2 ssh-ed25519 K2\n');
  t.deepEqual(knownHostsLines(f, 'web2').map((l) => l.key), ['K2']);
});

test('a file rewritten with other content is read again', (t) => {
  const f = file('web1 ssh-ed25519 K1\n');
  t.is(knownHostsLines(f, 'web1')[0].key, 'K1');
  writeFileSync(f, 'web1 ssh-ed25519 K2-longer\n');
  t.is(knownHostsLines(f, 'web1')[0].key, 'K2-longer');
});
