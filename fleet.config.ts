/**
 * The fleet demo's config (`npm run demo:fleet`, env `fleet`): apps/demo-django on an env with roles —
 * `web` hosts serve it (gunicorn + nginx), the `worker` host runs celery (worker and beat), the `data`
 * host runs PostgreSQL and dragonfly for the others. Roles are inventory groups (inventories/fleet.yml,
 * written by the demo); `on:` places a plugin on them. A team writes exactly this in runbook.config.ts.
 */
import { app } from '@runbook/app';
import { celery } from '@runbook/celery';
import { defineConfig } from '@runbook/core';
import { dragonfly } from '@runbook/dragonfly';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
import { postgres } from '@runbook/postgres';

export default defineConfig({
  // migrations run once per deploy, on the first web host (the default: the first host that has them)
  primary: 'web',
  plugins: [
    app({
      name: 'demo',
      on: ['web', 'worker'], // the code and its .env on every host that runs it
      source: { upload: { path: 'apps/demo-django' } },
      wsgi: 'demo.wsgi:application',
      packages: ['python3-venv', 'python3-django', 'python3-psycopg2', 'python3-celery', 'python3-redis'],
    }),
    gunicorn({ on: 'web' }), // workers per host from the inventory: groups.web.vars.gunicorn.workers
    nginx({ on: 'web' }),
    postgres({ on: 'data' }), // DATABASE_URL at the data host's private address, pg_hba for the app hosts
    // the demo machine cannot download Dragonfly: tools/demo-fleet.ts serves a stand-in (Debian's redis-server)
    dragonfly({ on: 'data', url: process.env.DEMO_DRAGONFLY_URL ?? 'https://github.com/dragonflydb/dragonfly/releases/download/v1.27.1/dragonfly-x86_64', sha256: process.env.DEMO_DRAGONFLY_SHA256 ?? '0'.repeat(64) }),
    celery({ on: 'worker', beat: true }), // beat on exactly one host: the first worker
  ],
});
