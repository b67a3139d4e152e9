import test from 'ava';
import { parseSize, resolveOptions } from './options.js';

test('defaults', (t) => {
  const o = resolveOptions({ name: 'shop', source: { git: { repo: 'https://x/shop.git', ref: 'main' } } });
  t.like(o, {
    user: 'shop', group: 'shop', root: '/srv/shop', packages: ['python3-venv'], keep: 5, requirements: 'requirements.txt',
    pipArgs: [], systemSitePackages: true, sharedFiles: ['.env'], sharedDirs: ['media'], env: {}, requiredSecrets: [], healthCheck: {},
    staticDir: 'staticfiles', minFreeKiB: 512 * 1024, settle: 2,
  });
  t.deepEqual(o.migrate, ['python', 'manage.py', 'migrate', '--noinput']);
  t.deepEqual(o.collectstatic, ['python', 'manage.py', 'collectstatic', '--noinput']);
});

const bad = test.macro((t, options: unknown, message: RegExp) => {
  t.throws(() => resolveOptions(options as never), { message });
});
test('name is required', bad, { source: { upload: { path: '.' } } }, /app: name: expected a short lowercase name/);
test('source is required', bad, { name: 'a' }, /source: expected \{ git: \{ repo, ref \} \} or \{ upload/);
test('a git ref with spaces', bad, { name: 'a', source: { git: { repo: 'r', ref: 'a b' } } }, /source.git.ref/);
test('a shared path outside the release', bad, { name: 'a', source: { upload: { path: '.' } }, sharedDirs: ['../etc'] }, /sharedFiles\/sharedDirs: expected a relative path/);
test('keep 0', bad, { name: 'a', source: { upload: { path: '.' } }, keep: 0 }, /keep: expected a positive integer/);
test('an env key that is no variable name', bad, { name: 'a', source: { upload: { path: '.' } }, env: { 'A-B': 'x' } }, /env.A-B/);
test('migrate: []', bad, { name: 'a', source: { upload: { path: '.' } }, migrate: [] }, /migrate: expected a non-empty argv list or false/);
test('a relative root', bad, { name: 'a', root: 'srv/a', source: { upload: { path: '.' } } }, /root: expected an absolute path/);
test('a health check URL that is not http', bad, { name: 'a', source: { upload: { path: '.' } }, healthCheck: { url: 'ftp://x' } }, /healthCheck.url/);
test('requiredSecrets that are not variable names', bad, { name: 'a', source: { upload: { path: '.' } }, requiredSecrets: ['SECRET-KEY'] }, /requiredSecrets: expected variable names/);
test('requiredSecrets that is not a list', bad, { name: 'a', source: { upload: { path: '.' } }, requiredSecrets: 'SECRET_KEY' }, /requiredSecrets: expected a list of non-empty strings/);
test('a static dir outside the release', bad, { name: 'a', source: { upload: { path: '.' } }, staticDir: '/var/www' }, /staticDir: expected a relative path/);
test('minFreeSpace without a unit', bad, { name: 'a', source: { upload: { path: '.' } }, minFreeSpace: '512' }, /minFreeSpace: expected a size like '512M'/);
test('verifyUnits.settle 0', bad, { name: 'a', source: { upload: { path: '.' } }, verifyUnits: { settle: 0 } }, /verifyUnits.settle: expected seconds/);

test('sizes in KiB; false turns the checks off', (t) => {
  t.deepEqual(['300K', '512M', '512MiB', '1.5G', '2gb', '1T'].map((v) => parseSize('s', v)), [300, 524288, 524288, 1572864, 2097152, 1073741824]);
  const off = resolveOptions({ name: 'a', source: { upload: { path: '.' } }, minFreeSpace: false, verifyUnits: false, staticDir: 'public/static' });
  t.like(off, { minFreeKiB: false, settle: false, staticDir: 'public/static' });
});

// unknown keys, top level and nested, are E_OPTIONS (exit 4) naming the key, the closest and the allowed ones
const upload = { upload: { path: '.' } };
const unknownKey = test.macro({
  exec(t, options: Record<string, unknown>, message: string) {
    const e = t.throws(() => resolveOptions({ name: 'a', ...options } as never));
    t.is((e as { code?: string }).code, 'E_OPTIONS');
    t.is(e?.message, message);
  },
  title: (title = '') => `unknown option: ${title}`,
});
test('wgsi', unknownKey, { source: upload, wgsi: 'shop.wsgi:application' },
  'app: unknown option "wgsi"; did you mean "wsgi"? allowed: on, name, user, root, source, wsgi, asgi, packages, keep, requirements, pipArgs, systemSitePackages, migrate, migrateOnce, collectstatic, sharedFiles, sharedDirs, env, requiredSecrets, healthCheck, staticDir, minFreeSpace, verifyUnits');
test('healthCheck.pth', unknownKey, { source: upload, healthCheck: { pth: '/healthz' } },
  'app: unknown option "healthCheck.pth"; did you mean "healthCheck.path"? allowed: path, url, host, retries');
test('source.git.rev', unknownKey, { source: { git: { repo: 'r', rev: 'main' } } },
  'app: unknown option "source.git.rev"; did you mean "source.git.ref"? allowed: repo, ref');
test('source.upload.branch', unknownKey, { source: { upload: { path: '.', branch: 'main' } } },
  'app: unknown option "source.upload.branch"; allowed: path, ref');
test('source.uplaod beside git', unknownKey, { source: { git: { repo: 'r', ref: 'main' }, uplaod: { path: '.' } } },
  'app: unknown option "source.uplaod"; did you mean "source.upload"? allowed: git, upload');

test('verifyUnits.setle', unknownKey, { source: upload, verifyUnits: { setle: 5 } },
  'app: unknown option "verifyUnits.setle"; did you mean "verifyUnits.settle"? allowed: settle');

test('on (placement) is an option of every plugin', (t) => {
  t.notThrows(() => resolveOptions({ name: 'a', source: upload, on: ['web', '!web-3'] }));
});
