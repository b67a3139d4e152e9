import test from 'ava';
import { staticInput, staticKey } from './static-key.js';

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
