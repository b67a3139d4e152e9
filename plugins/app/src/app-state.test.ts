import test from 'ava';
import { currentRelease, describeReleases, parseAppState } from './app-state.js';

const root = '/srv/shop';
const out = [
  `current\t${root}/releases/r2`,
  'release\tr2',
  'release\tr1',
  'record\t{"id":"r1","status":"ok","commit":"abc"}',
  'record\t{"id":"r2","status":"failed"}',
  'record\tnot json',
  'lock\t1764000000',
  'lockinfo\t{"release":"r3","who":"ann@laptop","since":"2026-11-24T06:11:00Z","command":"run deploy"}',
  'previous\t',
  'revision\tabc123\n',
].join('\n');

test('parses current, releases (sorted), records, lock with previous, revision', (t) => {
  const s = parseAppState(out);
  t.deepEqual(s.releases, ['r1', 'r2']);
  t.is(s.current, `${root}/releases/r2`);
  t.deepEqual(Object.keys(s.records), ['r1', 'r2']);
  t.deepEqual(s.lock, { since: 1764000000, info: { release: 'r3', who: 'ann@laptop', since: '2026-11-24T06:11:00Z', command: 'run deploy' }, previous: '' });
  t.is(s.revision, 'abc123');
  t.is(currentRelease(s, root), 'r2');
  t.is(describeReleases(s, root), 'r1 (ok), r2 (current, failed)');
});

test('no root; a lock without info; current elsewhere', (t) => {
  t.deepEqual(parseAppState('noroot\n'), { root: false, releases: [], records: {} });
  const s = parseAppState('current\t/opt/other\nlock\t5\n');
  t.deepEqual(s.lock, { since: 5 });
  t.is(currentRelease(s, root), undefined);
  t.is(currentRelease(parseAppState('current\treleases/r9\n'), root), 'r9');
  t.is(describeReleases(s, root), '(none)');
});

test('which releases are whole (a REVISION) and the temp dirs of code fetches', (t) => {
  const s = parseAppState('release\tr1\ncomplete\tr1\nrelease\tr2\ntemp\t.rb.Xy12\n');
  t.deepEqual(s.complete, ['r1']);
  t.deepEqual(s.temps, ['.rb.Xy12']);
});
