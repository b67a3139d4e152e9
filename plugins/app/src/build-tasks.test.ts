import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticScript, type BuildContext } from './build-tasks.js';

/** A root with releases r1 (static files collected under `key1`) and r2 (to build), both on one venv. */
function root(): { dir: string; run: (key: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'rb-static-'));
  mkdirSync(join(dir, '.venvs/v1'), { recursive: true });
  for (const id of ['r1', 'r2']) {
    mkdirSync(join(dir, 'releases', id), { recursive: true });
    symlinkSync(join(dir, '.venvs/v1'), join(dir, 'releases', id, '.venv'));
  }
  mkdirSync(join(dir, 'releases/r1/staticfiles'));
  writeFileSync(join(dir, 'releases/r1/staticfiles/site.css'), 'old\n');
  writeFileSync(join(dir, 'releases/r1/.rb-static'), 'key1-v1\n');
  const rel = join(dir, 'releases/r2');
  const b = { o: { root: dir, staticDir: 'staticfiles', systemSitePackages: false }, rel } as unknown as BuildContext;
  // the stand-in collectstatic writes what the code has now
  const collect = ['sh', '-c', 'mkdir -p staticfiles && echo new > staticfiles/site.css'];
  return { dir, run: (key) => execFileSync('sh', ['-ec', staticScript(b, collect, key)], { cwd: rel }).toString() };
}

test('real shell: the same static key hard-links the earlier release’s files; another key collects', (t) => {
  const same = root();
  t.teardown(() => rmSync(same.dir, { recursive: true, force: true }));
  same.run('key1');
  const css = (id: string) => join(same.dir, 'releases', id, 'staticfiles/site.css');
  t.is(statSync(css('r2')).ino, statSync(css('r1')).ino, 'a hard link: collectstatic did not run');
  t.is(readFileSync(join(same.dir, 'releases/r2/.rb-static'), 'utf8'), 'key1-v1\n');

  const other = root();
  t.teardown(() => rmSync(other.dir, { recursive: true, force: true }));
  other.run('key2');
  const css2 = (id: string) => join(other.dir, 'releases', id, 'staticfiles/site.css');
  t.is(readFileSync(css2('r2'), 'utf8'), 'new\n', 'collected');
  t.not(statSync(css2('r2')).ino, statSync(css2('r1')).ino);
  t.is(readFileSync(join(other.dir, 'releases/r2/.rb-static'), 'utf8'), 'key2-v1\n');
});
