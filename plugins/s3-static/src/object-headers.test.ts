import test from 'ava';
import { cacheControl, contentType, isHashedName } from './object-headers.js';

const policy = { hashed: 'H', other: 'O' };
const cases: [string, string, boolean][] = [
  ['css/site.css', 'text/css', false],
  ['css/site.3f2a9c0d1b4e.css', 'text/css', true],
  ['admin/js/core.0123456789ab.js', 'text/javascript', true],
  ['app.0123456789ab.js.gz', 'application/gzip', true],
  ['img/logo.SVG', 'image/svg+xml', false],
  ['fonts/x.woff2', 'font/woff2', false],
  ['staticfiles.json', 'application/json', false],
  ['a.3f2a9c0d1b4.css', 'text/css', false], // 11 hex: not Django's hash
  ['a.3F2A9C0D1B4E.css', 'text/css', false], // Django writes lower-case hex
  ['README', 'application/octet-stream', false],
];
for (const [name, type, hashed] of cases) {
  test(`${name}: ${type}, ${hashed ? 'immutable' : 'short'} cache`, (t) => {
    t.is(contentType(name), type);
    t.is(isHashedName(name), hashed);
    t.is(cacheControl(name, policy), hashed ? 'H' : 'O');
  });
}
