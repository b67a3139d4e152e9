/** The write scripts in a real shell: byte-exact content, mode and owner, nothing left behind. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWriteScript } from './atomic-write.js';

const run = (script: string) => execFileSync('sh', ['-c', `set -e\n${script}`], { encoding: 'utf8' });
const tricky = "-n 'quoted' \"double\" \\back\\slash %s %d $HOME `id` ünïcødé\n\nno trailing newline";

test('text with mode, owner and group: the two-program path writes every byte', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  const path = join(d, 'conf');
  const script = atomicWriteScript({ path, content: Buffer.from(tricky), mode: '0640', owner: 'root', group: 'root' });
  t.regex(script, /install -m/, 'the fast path');
  t.notRegex(script, /mktemp|base64/);
  run(script);
  t.is(readFileSync(path, 'utf8'), tricky);
  t.is((statSync(path).mode & 0o7777).toString(8), '640');
  t.deepEqual(readdirSync(d), ['conf'], 'no temp file left');
  run(atomicWriteScript({ path, content: Buffer.from(''), mode: '0600', owner: 'root', group: 'root' }));
  t.is(readFileSync(path, 'utf8'), '');
  t.is((statSync(path).mode & 0o7777).toString(8), '600');
});

test('binary content, or attributes left to the old file, take the general path', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  const path = join(d, 'bin');
  const bytes = Buffer.from([0, 1, 2, 255, 10, 0]);
  const script = atomicWriteScript({ path, content: bytes, mode: '0644', owner: 'root', group: 'root' });
  t.regex(script, /base64 -d/);
  run(script);
  t.deepEqual(readFileSync(path), bytes);
  t.regex(atomicWriteScript({ path, content: Buffer.from('x') }), /mktemp/, 'no mode: keeps the old file\'s');
  t.deepEqual(readdirSync(d), ['bin']);
});

test('a failed write leaves the target as it was and no temp file', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'rb-aw-'));
  const path = join(d, 'conf');
  run(atomicWriteScript({ path, content: Buffer.from('old\n'), mode: '0644', owner: 'root', group: 'root' }));
  t.throws(() => run(atomicWriteScript({ path, content: Buffer.from('new\n'), mode: '0644', owner: 'no-such-user-rb', group: 'root' })));
  t.is(readFileSync(path, 'utf8'), 'old\n');
  t.deepEqual(readdirSync(d), ['conf']);
});
