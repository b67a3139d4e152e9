import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aptSources, mirrorFromDeb822, mirrorFromSourcesList, mirrorHost, readMirror, securityFor } from './mirror.js';

const deb822 = `Types: deb
# a comment
URIs: http://security.example.test/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://mirror.example.test/debian/
Suites: bookworm bookworm-updates
Components: main
`;

test('deb822: first non-security URI, trailing slash dropped', (t) => {
  t.is(mirrorFromDeb822(deb822), 'http://mirror.example.test/debian');
  t.is(mirrorFromDeb822('Types: deb\n'), undefined);
});

test('sources.list: deb lines with options and comments, deb-src ignored', (t) => {
  const text = [
    '# deb http://commented.example.test/debian bookworm main',
    'deb-src http://src.example.test/debian bookworm main',
    'deb [arch=amd64 signed-by=/k.gpg] http://mirror.example.test/debian bookworm main',
    'deb http://mirror.example.test/debian-security bookworm-security main',
  ].join('\n');
  t.is(mirrorFromSourcesList(text), 'http://mirror.example.test/debian');
  t.is(mirrorFromSourcesList(''), undefined);
});

test('security archive is the same host', (t) => {
  t.is(securityFor('http://mirror.example.test/debian'), 'http://mirror.example.test/debian-security');
  t.is(mirrorHost('http://mirror.example.test:8080/debian'), 'mirror.example.test:8080');
});

test('readMirror prefers .sources, falls back to sources.list', (t) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'apt-'));
  fs.mkdirSync(path.join(d, 'sources.list.d'));
  fs.writeFileSync(path.join(d, 'sources.list'), 'deb http://list.example.test/debian bookworm main\n');
  t.is(readMirror(d), 'http://list.example.test/debian');
  fs.writeFileSync(path.join(d, 'sources.list.d', 'debian.sources'), deb822);
  t.is(readMirror(d), 'http://mirror.example.test/debian');
  fs.rmSync(path.join(d, 'sources.list'));
  fs.rmSync(path.join(d, 'sources.list.d', 'debian.sources'));
  t.throws(() => readMirror(d), { message: /no Debian mirror/ });
});

test('a host of a bookworm machine\'s mirror gets the other release from the same mirror, in its own format', (t) => {
  const mirror = 'http://mirror.example.test/debian';
  const bookworm = aptSources('bookworm', mirror);
  t.is(bookworm.path, 'etc/apt/sources.list');
  t.is(mirrorFromSourcesList(bookworm.text), mirror);
  t.regex(bookworm.text, /^deb http:\/\/mirror\.example\.test\/debian-security bookworm-security main$/m);
  const trixie = aptSources('trixie', mirror);
  t.is(trixie.path, 'etc/apt/sources.list.d/debian.sources');
  t.is(mirrorFromDeb822(trixie.text), mirror);
  const stanzas = trixie.text.trim().split(/\n\n/);
  t.is(stanzas.length, 2);
  t.regex(stanzas[0], /^URIs: http:\/\/mirror\.example\.test\/debian$/m);
  t.regex(stanzas[0], /^Suites: trixie trixie-updates$/m);
  t.regex(stanzas[1], /^URIs: http:\/\/mirror\.example\.test\/debian-security$/m);
  t.regex(stanzas[1], /^Suites: trixie-security$/m);
  t.notRegex(trixie.text, /bookworm/);
});
