import test from 'ava';
import { environDefault, envKeys, stringAssignment } from './python-source.js';

test('env keys: every common way of reading the environment, in order, once each, comments skipped', (t) => {
  const src = [
    "SECRET_KEY = os.environ['SECRET_KEY']",
    '# OLD = os.environ.get("OLD_KEY")',
    "DEBUG = env.bool('DEBUG', default=False)",
    'DB = os.getenv("DATABASE_URL")',
    "HOSTS = env_list('ALLOWED_HOSTS', ['*'])",
    "AGAIN = os.environ.get('SECRET_KEY')",
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')",
    "lower = os.environ.get('home')",
  ].join('\n');
  t.deepEqual(envKeys(src), ['SECRET_KEY', 'DEBUG', 'DATABASE_URL', 'ALLOWED_HOSTS']);
});

test('assignments and setdefault values', (t) => {
  t.is(stringAssignment("WSGI_APPLICATION = \"a.wsgi.application\"\n", 'WSGI_APPLICATION'), 'a.wsgi.application');
  t.is(stringAssignment("# WSGI_APPLICATION = 'old.wsgi.application'\n", 'WSGI_APPLICATION'), undefined);
  t.is(environDefault("    os.environ.setdefault( 'DJANGO_SETTINGS_MODULE' , 'a.settings.prod')", 'DJANGO_SETTINGS_MODULE'), 'a.settings.prod');
});
