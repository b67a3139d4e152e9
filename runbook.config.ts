/**
 * The demo project's config: apps/demo-django, served by gunicorn behind nginx, with a basic-auth wall on
 * every env but prod. `run configure --env local`, then `run deploy --env local`.
 * Every option is listed; the commented ones show their defaults. Each plugin's README has the details.
 */
import { app } from '@runbook/app';
import { basicAuth } from '@runbook/basic-auth';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';

export default defineConfig({
  // inventoryDir: 'inventories', playbookDir: 'playbooks', secretsDir: 'secrets',
  // knownHosts: '.runbook/known_hosts', vars: {}, envs: { prod: { vars: {} } },
  plugins: [
    // first: the others read the app's paths and user from the site model
    app({
      name: 'demo', // user, /srv/demo, unit names
      source: { upload: { path: 'apps/demo-django' } }, // packed here with git archive; or { git: { repo, ref } }
      wsgi: 'demo.wsgi:application',
      // asgi: 'demo.asgi:application',
      packages: ['python3-venv', 'python3-django'], // apt packages the app needs
      // the sqlite file lives in shared/, so every release sees the same data
      env: { DATABASE_PATH: '/srv/demo/shared/db.sqlite3' }, // plain .env values; secrets come from secrets/<env>.env
      // user: 'demo', root: '/srv/demo', keep: 5,
      // requirements: 'requirements.txt', pipArgs: [], systemSitePackages: true,
      // migrate: ['python', 'manage.py', 'migrate', '--noinput'], collectstatic: [...] or false,
      // sharedFiles: ['.env'], sharedDirs: ['media'],
      // healthCheck: { path: '/health/', retries: 10 },
    }),
    gunicorn({
      // unit: 'gunicorn', bind: 'unix' (or '127.0.0.1:8000'), workers: 2 × cores + 1,
      // asgi: false (true: uvicorn workers), timeout: 30, gracefulTimeout: 30, extraArgs: [],
      // reload: 'restart' (socket-activated: no dropped request) or 'hup', socketUser: 'www-data',
    }),
    // static files in a bucket instead of nginx's /static/ (import { s3Static } from '@runbook/s3-static'; before nginx):
    // s3Static({ path: 'apps/demo-django', env: { STATIC_MANIFEST: '1' } }), // bucket and keys from secrets/<env>.env
    //   (AWS_STORAGE_BUCKET_NAME or BUCKET_NAME, AWS_ACCESS_KEY_ID or AWS_ACCESS_ID, AWS_SECRET_ACCESS_KEY or AWS_ACCESS_SECRET);
    //   prefix: 'static/', ref: 'HEAD', command: ['python3', 'manage.py', 'collectstatic', '--noinput'], outputDir: temp STATIC_ROOT,
    //   endpoint, region, forcePathStyle: false, publicUrl (CDN), delete: false, concurrency: 8, cacheControl, acl, force: false,
    nginx({
      // siteName: app name, serverNames: [the host's name], removeDefaultSite: true,
      // clientMaxBodySize: '10m', locations: [{ path: '/docs/', alias: '/srv/docs/' }],
      // extraConfig: [], quietFavicon: true, defaultServer: false, ipv6: true (false: no listen [::]),
    }),
    // HTTPS on the envs with public names (import { letsencrypt } from '@runbook/letsencrypt'; after nginx):
    // letsencrypt({ email: 'ops@example.com' }),
    //   server: 'production' ('staging' or any ACME directory URL), caBundle (PEM or a path on the host, for a
    //   private ACME server), keyType: 'ecdsa' | 'rsa', extraNames: [], redirect: true, hsts: false (true: a year),
    //   certName: the first server name, webroot: '/var/www/letsencrypt',
    basicAuth({
      envs: ['local', 'dev', 'qa', 'stg'], // the wall is up here, not on prod
      // realm: 'Restricted', users: { name: secret } (default: BASIC_AUTH_USERS or AUTH_WALL_USERNAME/PASSWORD
      // from the env's secrets), djangoWall: false (true: AUTH_WALL_* into the app's .env too),
    }),
    // The worker stack instead (apps/demo-flask: uWSGI, PostgreSQL, dragonfly, celery; apps/cli/test/flask.it.test.ts
    // deploys exactly this; secrets/<env>.env holds SECRET_KEY, POSTGRES_PASSWORD, DRAGONFLY_PASSWORD):
    // app({ name: 'hooks', source: { upload: { path: 'apps/demo-flask' } }, wsgi: 'demo_flask.wsgi:app',
    //   packages: ['python3-venv', 'python3-flask', 'python3-sqlalchemy', 'python3-alembic', 'python3-psycopg2', 'python3-celery', 'python3-redis'],
    //   migrate: ['python', '-m', 'alembic', 'upgrade', 'head'], collectstatic: false }),
    // postgres(), // DATABASE_URL into the .env
    // dragonfly({ url: 'https://github.com/dragonflydb/dragonfly/releases/download/v1.27.1/dragonfly-x86_64', sha256: '<its sha256>' }),
    // uwsgi({ processes: 2 }), // nginx gets uwsgi_pass
    // celery({ app: 'demo_flask.tasks:celery', concurrency: 2 }), // CELERY_BROKER_URL from dragonfly
    // nginx(),
  ],
});
