/**
 * The deploy bench's Runbook project (tools/bench/deploy): the demo's app + gunicorn + nginx, the code
 * fetched by git from the bench's own repository (BENCH_DEPLOY_REPO, served on the test bridge). It also
 * configures every host of every tool's set before their deploys, so all four tools start from the same host.
 */
import { app } from '@runbook/app';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';

const repo = process.env.BENCH_DEPLOY_REPO;
if (!repo) throw new Error('BENCH_DEPLOY_REPO is not set (tools/bench/deploy sets it)');

export default defineConfig({
  plugins: [
    app({
      name: 'demo',
      source: { git: { repo, ref: 'main' } },
      wsgi: 'demo.wsgi:application',
      packages: ['python3-venv', 'python3-django'],
      env: { DATABASE_PATH: '/srv/demo/shared/db.sqlite3' },
    }),
    gunicorn(),
    nginx(),
  ],
});
