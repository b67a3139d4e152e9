import test from 'ava';
import { emptyManifest, entryOf, parseManifest, planSync, type LocalFile, type Manifest } from './sync-plan.js';

const file = (name: string, sha256 = `sha-${name}`, cacheControl = 'O'): LocalFile => ({
  name, path: `/tmp/out/${name}`, size: 10, sha256, md5: 'm', contentType: 'text/css', cacheControl,
});
const manifestOf = (...files: LocalFile[]): Manifest => ({ version: 1, files: Object.fromEntries(files.map((f) => [f.name, entryOf(f)])) });
const names = (fs: LocalFile[]) => fs.map((f) => f.name);

test('first sync: everything is uploaded', (t) => {
  const p = planSync([file('b.css'), file('a.css')], emptyManifest(), { remove: false, force: false });
  t.deepEqual(names(p.upload), ['a.css', 'b.css']);
  t.deepEqual(p.unchanged, []);
  t.deepEqual(Object.keys(p.next.files), ['a.css', 'b.css']);
});

test('nothing changed: nothing uploaded', (t) => {
  const p = planSync([file('a.css'), file('b.css')], manifestOf(file('a.css'), file('b.css')), { remove: false, force: false });
  t.deepEqual(p.upload, []);
  t.deepEqual(p.unchanged, ['a.css', 'b.css']);
});

test('one changed file, one changed cache policy: those two uploaded', (t) => {
  const p = planSync([file('a.css', 'new'), file('b.css', undefined, 'H'), file('c.css')], manifestOf(file('a.css'), file('b.css'), file('c.css')), { remove: false, force: false });
  t.deepEqual(names(p.upload), ['a.css', 'b.css']);
  t.deepEqual(p.unchanged, ['c.css']);
});

test('a vanished file: kept and still listed without remove; deleted and unlisted with it', (t) => {
  const before = manifestOf(file('a.css'), file('gone.css'));
  const keep = planSync([file('a.css')], before, { remove: false, force: false });
  t.deepEqual(keep.delete, []);
  t.truthy(keep.next.files['gone.css']);
  const remove = planSync([file('a.css')], before, { remove: true, force: false });
  t.deepEqual(remove.delete, ['gone.css']);
  t.falsy(remove.next.files['gone.css']);
});

test('force uploads everything', (t) => {
  t.deepEqual(names(planSync([file('a.css')], manifestOf(file('a.css')), { remove: false, force: true }).upload), ['a.css']);
});

test('parseManifest accepts only a version 1 manifest', (t) => {
  t.deepEqual(parseManifest('{"version":1,"files":{}}'), emptyManifest());
  t.throws(() => parseManifest('{"files":{}}'));
  t.throws(() => parseManifest('<xml/>'));
});
