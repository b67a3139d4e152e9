import test from 'ava';
import { execFileSync } from 'node:child_process';
import { STATIC_INPUTS_AWK, staticInput, staticKey } from './static-key.js';

test('static inputs: non-Python files, Python under static/, settings and apps.py; not views or models', (t) => {
  for (const p of ['pages/static/pages/app.css', 'assets/logo.svg', 'pages/templates/x.html', 'demo/settings.py', 'demo/settings/prod.py', 'pages/apps.py', 'pages/static/x.py']) t.true(staticInput(p), p);
  for (const p of ['pages/views.py', 'pages/models.py', 'pages/migrations/0001_initial.py', 'manage.py']) t.false(staticInput(p), p);
});

const listing = (css: string, view: string) => `100644 blob ${css}\tpages/static/pages/app.css\n100644 blob ${view}\tpages/views.py\n`;
const o = { collectstatic: ['python', 'manage.py', 'collectstatic', '--noinput'], staticDir: 'staticfiles', env: 'A=1\n' };

test('static key: a changed static file or env changes it, a changed view does not', (t) => {
  const k = staticKey(listing('aaa', 'bbb'), o);
  t.regex(k, /^[0-9a-f]{16}$/);
  t.is(staticKey(listing('aaa', 'ccc'), o), k);
  t.not(staticKey(listing('ddd', 'bbb'), o), k);
  t.not(staticKey(listing('aaa', 'bbb'), { ...o, env: 'A=2\n' }), k);
  t.not(staticKey(listing('aaa', 'bbb'), { ...o, staticDir: 'static' }), k);
});

test('STATIC_INPUTS_AWK keeps exactly the lines staticInput keeps (the host hashes a git tree with it)', (t) => {
  const paths = ['manage.py', 'demo/settings.py', 'demo/settings_prod.py', 'demo/settings/base.py', 'pages/apps.py', 'pages/views.py',
    'pages/static/js/x.py', 'pages/static/css/site.css', 'templates/base.html', 'requirements.txt', 'a/b/c/models.py', 'static.py', 'dir with space/f.txt'];
  const listing = paths.map((p, i) => `100644 blob ${String(i).padStart(40, '0')}\t${p}`).join('\n');
  const kept = execFileSync('awk', ['-F', '\t', STATIC_INPUTS_AWK], { input: listing, encoding: 'utf8' }).trim().split('\n');
  t.deepEqual(kept.map((l) => l.split('\t')[1]), paths.filter(staticInput));
  t.deepEqual(paths.filter(staticInput), ['demo/settings.py', 'demo/settings_prod.py', 'demo/settings/base.py', 'pages/apps.py', 'pages/static/js/x.py',
    'pages/static/css/site.css', 'templates/base.html', 'requirements.txt', 'dir with space/f.txt']);
});
