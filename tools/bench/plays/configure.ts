/**
 * The benchmark play for Runbook: 35 tasks and one handler shaped like a real `configure`, without
 * package installs. configure.yml is the same play for Ansible; both render the templates in
 * ./templates (simple `{{ var }}` substitutions that Runbook's template and Jinja render alike).
 *
 *   node apps/cli/dist/bin.js tools/bench/plays/configure.ts --env bench --json --stats
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlaybook } from '@runbook/core';
import { command, directory, file, line, symlink, template, user } from '@runbook/system';

const tpl = (name: string) => readFileSync(join(import.meta.dirname, 'templates', name), 'utf8');

const base = {
  app: 'bench',
  user: 'benchapp',
  root: '/srv/bench',
  socket: '/run/gunicorn.sock',
  workers: 3,
  redis_port: 6379,
  secret_key: 'bench-not-a-secret-0123456789abcdef',
};

/** The 20 small static files: same names and content in configure.yml. */
export const staticFiles = Array.from({ length: 20 }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  return { path: `${base.root}/static/asset${n}.txt`, content: `static asset ${n}\n` };
});

export default definePlaybook({
  name: 'bench-configure',
  description: 'benchmark: directories, templates, 20 static files, symlink, line, guarded command, handler',
  phases: [
    {
      name: 'configure',
      tasks: (host) => {
        const vars = { ...base, server_name: host.alias };
        const unit = (name: string) => template({
          path: `/etc/systemd/system/${name}`, template: tpl(`${name}.j2`), vars, owner: 'root', group: 'root', mode: '0644',
        });
        return [
          user({ name: base.user, group: base.user, system: true, home: base.root, createHome: false, shell: '/usr/sbin/nologin' }),
          directory({ path: base.root, owner: 'root', group: 'root', mode: '0755' }),
          directory({ path: `${base.root}/shared`, owner: base.user, group: base.user, mode: '0750' }),
          directory({ path: `${base.root}/static`, owner: base.user, group: base.user, mode: '0755' }),
          directory({ path: '/etc/nginx/sites-available', owner: 'root', group: 'root', mode: '0755', recursive: true }),
          directory({ path: '/etc/nginx/sites-enabled', owner: 'root', group: 'root', mode: '0755' }),
          template({
            path: '/etc/nginx/sites-available/bench.conf', template: tpl('nginx-site.conf.j2'), vars,
            owner: 'root', group: 'root', mode: '0644', notify: 'reload nginx',
          }),
          symlink({ path: '/etc/nginx/sites-enabled/bench.conf', target: '/etc/nginx/sites-available/bench.conf' }),
          unit('gunicorn.socket'),
          unit('gunicorn.service'),
          unit('celery.service'),
          unit('dragonfly.service'),
          template({ path: `${base.root}/shared/.env`, template: tpl('env.j2'), vars, owner: base.user, group: base.user, mode: '0600' }),
          ...staticFiles.map((f) => file({ path: f.path, content: f.content, owner: base.user, group: base.user, mode: '0644' })),
          line({ path: '/etc/sysctl.d/90-bench.conf', regexp: '^net\\.core\\.somaxconn\\s*=', line: 'net.core.somaxconn = 1024', create: true }),
          command({ run: `date -u > ${base.root}/shared/initialized`, creates: `${base.root}/shared/initialized` }),
        ];
      },
      handlers: {
        // nginx is not installed: the handler only leaves a marker (the Ansible play does the same)
        'reload nginx': command({ run: `touch ${base.root}/nginx-reloaded`, always: true }),
      },
    },
  ],
});
