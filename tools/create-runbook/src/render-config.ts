/** runbook.config.ts for the plan: @runbook/app, @runbook/gunicorn and @runbook/nginx, commented. */
import type { ProjectPlan } from './plan.js';

/** A single-quoted JS string literal. */
export const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
const list = (items: string[]): string => `[${items.map(lit).join(', ')}]`;

export function renderConfig(p: ProjectPlan): string {
  const envs = Object.keys(p.hosts);
  const label = p.framework === 'django' ? 'Django' : 'Flask';
  const source = 'upload' in p.source
    ? `source: { upload: { path: ${lit(p.source.upload.path)} } }, // the committed HEAD of this checkout, packed with git archive`
    : `source: { git: { repo: ${lit(p.source.git.repo)}, ref: ${lit(p.source.git.ref)} } }, // cloned on each host`;
  const appLines = [
    `name: ${lit(p.name)}, // the app's user, /srv/${p.name}, unit names`,
    source,
    p.wsgi ? `wsgi: ${lit(p.wsgi)},` : `asgi: ${lit(p.asgi!)},`,
    `packages: ${list(p.packages)}, // from Debian: the venv sees them (system site packages)`,
    ...(p.requiredSecrets.length ? [`requiredSecrets: ${list(p.requiredSecrets)}, // secrets/<env>.env must set them`] : []),
    ...(Object.keys(p.env).length
      ? [`env: { ${Object.entries(p.env).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')} }, // plain .env values; secrets come from secrets/<env>.env`]
      : []),
    ...(p.healthPath !== '/health/' ? [`healthCheck: { path: ${lit(p.healthPath)} }, // the deploy checks this URL through nginx`] : []),
    ...(p.collectstatic ? [] : ['collectstatic: false,']),
    ...(p.migrate ? [`migrate: ${list(p.migrate)},`] : []),
  ];
  return `/**
 * Runbook config of ${p.name} (${label}), written by create-runbook ${p.version}.
 *   make configure ENV=${envs[0]}   provision the hosts of inventories/${envs[0]}.yml: packages, app user, .env, gunicorn, nginx
 *   make deploy ENV=${envs[0]}      ship: new release, venv, migrate, switch, restart, health check
 * Every option of each plugin: its README (@runbook/app, @runbook/gunicorn, @runbook/nginx).
 */
import { app } from '@runbook/app';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';

export default defineConfig({
  plugins: [
    // first: the others read the app's paths and user from the site model
    app({
${appLines.map((l) => `      ${l}`).join('\n')}
    }),
    gunicorn(${p.wsgi ? '' : '{ asgi: true }'}), // socket-activated; workers: 2 × cores + 1
    nginx(), // server_name: the host's name; nginx({ serverNames: ['shop.example.com'] }) for a domain
  ],
});
`;
}
