/**
 * A small playbook of system primitives, the README demo: a package, a system user, its directories,
 * a templated page, and a systemd service that serves it on port 8080. Run it twice: the second run
 * reports 0 changed.
 *
 *   run example --env local
 */
import { definePlaybook } from '@runbook/core';
import { apt, command, directory, systemdUnit, template, user } from '@runbook/system';

const unit = `[Unit]
Description=Runbook example page
After=network.target

[Service]
User=demo
Group=demo
ExecStart=/usr/bin/python3 -m http.server 8080 --directory /srv/demo/www
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

export default definePlaybook({
  name: 'example',
  description: 'a user, directories, a templated page and a systemd service that serves it',
  phases: [
    {
      name: 'example',
      tasks: (host) => [
        apt({ packages: ['curl'] }),
        user({ name: 'demo', system: true, home: '/srv/demo', shell: '/usr/sbin/nologin' }),
        directory({ path: '/srv/demo/www', owner: 'demo', group: 'demo', mode: '0755', recursive: true }),
        template({
          path: '/srv/demo/www/index.html',
          template: '<h1>{{ greeting }} from {{ host }}</h1>\n<p>env {{ env }}</p>\n',
          vars: { greeting: host.vars.greeting ?? 'Hello', host: host.alias, env: host.env },
          owner: 'demo',
          group: 'demo',
          mode: '0644',
        }),
        systemdUnit({ name: 'demo-web.service', content: unit, enabled: true, state: 'started', notify: 'check page' }),
      ],
      handlers: {
        // runs only when the unit changed: proves the service answers after a (re)start
        'check page': command({ run: 'for i in 1 2 3 4 5 6 7 8 9 10; do curl -fsS -o /dev/null http://127.0.0.1:8080/ && exit 0; sleep 0.3; done; exit 1', always: true }),
      },
    },
  ],
});
