import test from 'ava';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { detectApp } from './detect.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../test/fixtures', name);

test('a Django project: settings module from manage.py, WSGI app from the settings, env keys, Debian packages', (t) => {
  const app = detectApp(fixture('django-notes'))!;
  t.is(app.framework, 'django');
  t.is(app.name, 'notes');
  t.is(app.wsgi, 'notes.wsgi:application');
  t.deepEqual(app.envKeys, ['SECRET_KEY', 'DEBUG', 'ALLOWED_HOSTS', 'STATIC_ROOT']);
  t.is(app.requirements, 'requirements.txt');
  t.deepEqual(app.packages, ['python3-venv', 'python3-django']);
  // no health URL in notes/urls.py: the deploy checks the home page
  t.is(app.healthPath, '/');
  t.true(app.collectstatic);
  t.deepEqual(app.notes, []);
});

test('a Django project whose settings do not read STATIC_ROOT from the environment: collectstatic off, with the reason', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-dj-'));
  cpSync(fixture('django-notes'), dir, { recursive: true });
  writeFileSync(join(dir, 'notes/settings.py'), "INSTALLED_APPS = ['django.contrib.staticfiles']\nASGI_APPLICATION = 'notes.asgi.application'\nROOT_URLCONF = 'notes.urls'\n");
  writeFileSync(join(dir, 'notes/urls.py'), "urlpatterns = [path('health/', health)]\n");
  const app = detectApp(dir)!;
  t.is(app.wsgi, undefined);
  t.is(app.asgi, 'notes.asgi:application');
  t.is(app.healthPath, '/health/');
  t.false(app.collectstatic);
  t.regex(app.notes.join('\n'), /STATIC_ROOT/);
});

test('a Django settings package: every module of it is read', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-dj-'));
  writeFileSync(join(dir, 'manage.py'), "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n");
  cpSync(fixture('django-notes/notes'), join(dir, 'shop/settings'), { recursive: true });
  writeFileSync(join(dir, 'shop/settings/__init__.py'), 'from .base import *\n');
  writeFileSync(join(dir, 'shop/settings/base.py'), "WSGI_APPLICATION = 'shop.wsgi.application'\nSECRET_KEY = env('DJANGO_SECRET_KEY')\n");
  writeFileSync(join(dir, 'shop/settings/prod.py'), "SENTRY_DSN = os.environ['SENTRY_DSN']\n");
  const app = detectApp(dir)!;
  t.is(app.name, 'shop');
  t.is(app.wsgi, 'shop.wsgi:application');
  t.true(app.envKeys.includes('DJANGO_SECRET_KEY') && app.envKeys.includes('SENTRY_DSN'));
  t.is(app.requirements, undefined);
});

test('a Flask factory: a wsgi.py that calls create_app is proposed, migrations with alembic, requirements mapped to Debian', (t) => {
  const app = detectApp(fixture('flask-factory'))!;
  t.is(app.framework, 'flask');
  t.is(app.name, 'flask-factory');
  t.is(app.wsgi, 'wsgi:app');
  t.regex(app.extraFiles['wsgi.py'], /from hooks import create_app\n\napp = create_app\(\)/);
  t.deepEqual(app.envKeys, ['FLASK_SECRET_KEY', 'DATABASE_URL', 'MAIL_API_TOKEN']);
  t.deepEqual(app.packages, ['python3-venv', 'python3-flask', 'python3-psycopg2']);
  t.deepEqual(app.migrate, ['python', '-m', 'alembic', 'upgrade', 'head']);
  t.is(app.healthPath, '/health');
  t.false(app.collectstatic);
});

test('a Flask app object in app.py', (t) => {
  const app = detectApp(fixture('flask-app'))!;
  t.is(app.wsgi, 'app:app');
  t.deepEqual(app.extraFiles, {});
  t.deepEqual(app.envKeys, ['SECRET_KEY']);
  t.deepEqual(app.packages, ['python3-venv', 'python3-flask']);
});

test('an empty directory holds no app', (t) => {
  t.is(detectApp(mkdtempSync(join(tmpdir(), 'cr-empty-'))), undefined);
});
