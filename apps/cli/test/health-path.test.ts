/**
 * One health path: the app's `healthCheck.path` is the path the deploy's verify stage requests and the
 * path the basic-auth wall leaves open in the nginx server block, whichever order the plugins are
 * listed in. Planned in-process with the real plugins (the site model, then every host's tasks); no host.
 */
import test from 'ava';
import { app, type AppOptions } from '@runbook/app';
import { basicAuth } from '@runbook/basic-auth';
import { configurePhases, deployPhases, planPhases, type Plugin, type Task } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';

const host = { alias: 'web-1', hostname: 'web-1', user: 'root', groups: [], vars: {}, env: 'stg' };
const shop = (healthCheck?: AppOptions['healthCheck']) =>
  app({ name: 'shop', source: { git: { repo: 'https://example.org/shop.git', ref: 'main' } }, wsgi: 'shop.wsgi:application', ...(healthCheck !== undefined ? { healthCheck } : {}) });
const wall = () => basicAuth({ users: { alice: 'alice-pw-123' } });

async function planned(plugins: Plugin[]) {
  const config = { root: '/p', inventoryDir: '/p/inventories', playbookDir: '/p/playbooks', knownHosts: '/p/k', secretsDir: '/p/secrets', vars: {}, plugins };
  const plan = async (phases: typeof configurePhases) =>
    (await planPhases({ playbook: { name: 'p', phases }, context: { env: 'stg', config, secrets: {} }, hosts: [host] })).get('web-1')!;
  const configure = (await plan(configurePhases)).flatMap((p) => p.tasks);
  const deploy = (await plan((c) => deployPhases(c, 'R1')))[0].stages!.flatMap((s) => s.tasks);
  const one = (tasks: Task[], type: string) => tasks.find((t) => t.type.name === type);
  return { serverBlock: String(one(configure, 'nginx.site')?.options.content), check: one(deploy, 'app.health')?.options.url as string | undefined };
}

/** `location = <path>` with the wall off, proxied to the app like every other request */
const openLocation = (path: string) => `    location = ${path} {\n        auth_basic off;\n        include proxy_params;\n`;

const cases: { title: string; plugins: () => Plugin[]; checked: string; open: string[]; walled?: string[] }[] = [
  {
    title: 'the default: /health/',
    plugins: () => [shop(), gunicorn(), nginx(), wall()],
    checked: 'http://127.0.0.1/health/',
    open: ['/health/'],
  },
  {
    title: 'healthCheck.path is checked and open; the default path is not',
    plugins: () => [shop({ path: '/healthz' }), gunicorn(), nginx(), wall()],
    checked: 'http://127.0.0.1/healthz',
    open: ['/healthz'],
    walled: ['/health/'],
  },
  {
    title: 'the wall listed before the app: the app\'s path is open all the same',
    plugins: () => [wall(), shop({ path: '/up/', retries: 3 }), gunicorn(), nginx()],
    checked: 'http://127.0.0.1/up/',
    open: ['/up/'],
  },
];

for (const c of cases) {
  test(`one health path: ${c.title}`, async (t) => {
    const { serverBlock, check } = await planned(c.plugins());
    t.is(check, c.checked, 'the path the verify stage requests');
    t.true(serverBlock.includes('    auth_basic "Restricted";\n'), serverBlock);
    for (const path of c.open) t.true(serverBlock.includes(openLocation(path)), `${path} open:\n${serverBlock}`);
    for (const path of c.walled ?? []) t.false(serverBlock.includes(`location = ${path} `), `${path} behind the wall:\n${serverBlock}`);
  });
}
