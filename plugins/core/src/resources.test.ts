import test from 'ava';
import { ancestorKeys, keysOverlap, overlaps } from './resources.js';

const cases: [string, string, boolean][] = [
  ['path:/etc/nginx', 'path:/etc/nginx', true],
  ['path:/etc/nginx/', 'path:/etc/nginx', true],
  // creating a directory does not change what a file inside it reads
  ['path:/etc/nginx', 'path:/etc/nginx/nginx.conf', false],
  ['tree:/srv/app', 'path:/srv/app/shared/.env', true],
  ['path:/srv/app/shared', 'tree:/srv/app', true],
  ['tree:/srv/app', 'tree:/srv/app/releases', true],
  ['tree:/srv/app', 'path:/srv/application', false],
  ['tree:/', 'path:/etc', true],
  ['user:deploy', 'user:deploy', true],
  ['user:deploy', 'group:deploy', false],
  ['user:/etc', 'path:/etc', false],
];
for (const [a, b, want] of cases) {
  test(`${a} vs ${b}: ${want ? 'overlap' : 'independent'}`, (t) => {
    t.is(keysOverlap(a, b), want);
    t.is(keysOverlap(b, a), want);
  });
}

test('overlaps compares every pair', (t) => {
  t.true(overlaps(['path:/a', 'user:x'], ['group:y', 'user:x']));
  t.false(overlaps(['path:/a', 'user:x'], ['path:/b']));
  t.false(overlaps([], ['path:/b']));
});

test('ancestorKeys lists the parents a mkdir -p may create', (t) => {
  t.deepEqual(ancestorKeys('/etc/nginx/sites-available'), ['path:/etc', 'path:/etc/nginx']);
  t.deepEqual(ancestorKeys('/srv'), []);
});
