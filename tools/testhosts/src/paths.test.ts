import test from 'ava';
import { cachePaths, checkRelease } from './paths.js';

test('a release is bookworm by default, trixie on request, anything else a clear error', (t) => {
  t.is(checkRelease(undefined), 'bookworm');
  t.is(checkRelease('trixie'), 'trixie');
  t.throws(() => checkRelease('sid'), { message: 'release: expected one of bookworm, trixie, got "sid"' });
});

test('each release has its own rootfs, tarball and build lock; bookworm keeps the names it had', (t) => {
  const b = cachePaths('bookworm');
  const x = cachePaths('trixie');
  t.regex(b.rootfs, /\/rootfs$/);
  t.regex(b.tarball, /\/bookworm-base\.tar$/);
  t.regex(b.buildLock, /\/build\.lock$/);
  t.regex(x.rootfs, /\/rootfs-trixie$/);
  t.regex(x.tarball, /\/trixie-base\.tar$/);
  t.regex(x.buildLock, /\/build-trixie\.lock$/);
  t.is(b.key, x.key, 'one client key for every release');
});
