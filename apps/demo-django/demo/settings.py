"""
Settings of the demo project. Everything comes from the environment: systemd loads the app's `.env`
with `EnvironmentFile=`, and `manage.py` run by a deploy gets the same variables.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == '':
        return default
    return value.strip().lower() in ('1', 'true', 'yes', 'on')


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == '':
        return default
    return [item.strip() for item in value.split(',') if item.strip()]


DEBUG = env_bool('DEBUG', False)
# A development fallback only; a deploy always sets SECRET_KEY in the .env
SECRET_KEY = os.environ.get('SECRET_KEY') or ('insecure-dev-only-key' if DEBUG else '')
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured('SECRET_KEY is not set (add it to the .env, or set DEBUG=1 for development)')

ALLOWED_HOSTS = env_list('ALLOWED_HOSTS', ['*'])
# the release id on the page: RELEASE, else the name of the release directory the code runs from
RELEASE = os.environ.get('RELEASE') or BASE_DIR.name

INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.staticfiles',
    'pages',
]

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.middleware.common.CommonMiddleware',
]

ROOT_URLCONF = 'demo.urls'

TEMPLATES = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'DIRS': [],
        'APP_DIRS': True,
        'OPTIONS': {'context_processors': ['django.template.context_processors.request']},
    },
]

WSGI_APPLICATION = 'demo.wsgi.application'

def database_from_url(url):
    """`postgresql://user:password@host:port/name` (as @runbook/postgres writes DATABASE_URL) as Django settings."""
    from urllib.parse import unquote, urlsplit

    u = urlsplit(url)
    if u.scheme not in ('postgres', 'postgresql'):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f'DATABASE_URL: only postgresql:// URLs are supported, got {u.scheme}://')
    return {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': unquote(u.path.lstrip('/')),
        'USER': unquote(u.username or ''),
        'PASSWORD': unquote(u.password or ''),
        'HOST': u.hostname or '',
        'PORT': str(u.port or ''),
    }


# DATABASE_URL (PostgreSQL, e.g. on the env's data host) wins over the sqlite file
DATABASES = {
    'default': database_from_url(os.environ['DATABASE_URL']) if os.environ.get('DATABASE_URL') else {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.environ.get('DATABASE_PATH') or str(BASE_DIR / 'db.sqlite3'),
        # several gunicorn workers write visits: wait for the lock instead of failing at once
        'OPTIONS': {'timeout': 20},
    }
}

DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
USE_I18N = False
USE_TZ = True

STATIC_URL = os.environ.get('STATIC_URL') or '/static/'
STATIC_ROOT = os.environ.get('STATIC_ROOT') or str(BASE_DIR / 'staticfiles')
# STATIC_MANIFEST=1: content-hashed names (css/site.<12 hex>.css) that a CDN or bucket may cache forever
if env_bool('STATIC_MANIFEST'):
    import django

    _manifest = 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'
    if django.VERSION >= (4, 2):
        STORAGES = {'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'}, 'staticfiles': {'BACKEND': _manifest}}
    else:
        STATICFILES_STORAGE = _manifest

# behind nginx: trust its X-Forwarded-Proto for request.is_secure()
SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')

# Celery (demo/celery.py; only the worker and the code that sends tasks import celery): plain values, so
# these settings load without celery installed or a broker configured
CELERY_BROKER_URL = os.environ.get('CELERY_BROKER_URL') or None
CELERY_RESULT_BACKEND = os.environ.get('CELERY_RESULT_BACKEND') or CELERY_BROKER_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
