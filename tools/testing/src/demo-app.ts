/** A site model's app, as @runbook/app contributes it for `app({ name: 'demo' })`: for table tests of app servers. */
import type { AppModel } from '@runbook/core';

export const demoApp: AppModel = {
  name: 'demo',
  user: 'demo',
  group: 'demo',
  root: '/srv/demo',
  current: '/srv/demo/current',
  releases: '/srv/demo/releases',
  shared: '/srv/demo/shared',
  envFile: '/srv/demo/shared/.env',
  venv: '/srv/demo/current/.venv',
  wsgi: 'demo.wsgi:application',
  asgi: 'demo.asgi:application',
  staticRoot: '/srv/demo/shared/static',
};
