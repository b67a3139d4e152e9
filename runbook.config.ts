/**
 * The demo project's config: the Django app in apps/demo-django, served by gunicorn behind nginx, with a
 * basic-auth wall on every env but prod. `run configure --env local` then `run deploy --env local`.
 */
import { app } from '@runbook/app';
import { basicAuth } from '@runbook/basic-auth';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';

export default defineConfig({
  plugins: [
    app({
      name: 'demo',
      source: { upload: { path: 'apps/demo-django' } },
      wsgi: 'demo.wsgi:application',
      packages: ['python3-venv', 'python3-django'],
      // the sqlite file lives in shared/, so every release sees the same data
      env: { DATABASE_PATH: '/srv/demo/shared/db.sqlite3' },
    }),
    gunicorn(),
    nginx(),
    basicAuth({ envs: ['local', 'dev', 'qa', 'stg'] }),
  ],
});
