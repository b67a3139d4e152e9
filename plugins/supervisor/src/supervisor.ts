/**
 * `supervisor(options)`: processes under supervisor — the Debian `supervisor` package, its service
 * enabled and running, one config per program in /etc/supervisor/conf.d/<name>.conf, and
 * `supervisorctl reread` + `update` (a handler) only when a config changed or was removed: update starts
 * new programs, restarts changed ones and stops removed ones; unchanged programs keep running.
 *
 * The worked example of docs/plugins.md: made with `nx g @runbook/tools:plugin supervisor`, then the
 * example task replaced by these.
 */
import { definePlugin, placeable, secret, type Plugin } from '@runbook/core';
import { apt, command, file, systemdUnit } from '@runbook/system';
import { resolveSupervisorOptions, type SupervisorOptions } from './options.js';
import { prune } from './prune-task.js';
import { renderProgram } from './render.js';

/** The handler every program config notifies. */
export const UPDATE_HANDLER = 'supervisor update';

/**
 * reread + update, once supervisord answers (it may have been started a moment ago by this phase).
 * `update` exits non-zero when a program cannot be started.
 */
export const UPDATE_SCRIPT =
  'i=0; until supervisorctl pid >/dev/null 2>&1; do i=$((i+1)); [ "$i" -lt 50 ] || { echo "supervisord does not answer on its socket" >&2; exit 1; }; sleep 0.2; done\n' +
  'supervisorctl reread\nsupervisorctl update';

/**
 * @example
 * plugins: [supervisor({ programs: { worker: { command: '/srv/shop/current/.venv/bin/python -m shop.worker', user: 'shop', directory: '/srv/shop/current' } } })]
 * @example
 * supervisor({ programs: { queue: { command: '/usr/local/bin/queue-runner', numprocs: 4, stopsignal: 'INT', stopwaitsecs: 60, environment: { TOKEN: secret(token) } } } })
 */
export function supervisor(options: SupervisorOptions = {}): Plugin {
  // bad options fail here, when the config loads, before anything connects (rendering checks values too)
  const o = resolveSupervisorOptions(options);
  const configs = o.programs.map((p) => ({ p, content: renderProgram(p) }));
  return placeable(supervisor, options, definePlugin({
    name: 'supervisor',
    configure: () => [
      apt({ packages: ['supervisor'] }),
      systemdUnit({ name: 'supervisor.service', enabled: true, state: 'started' }),
      ...configs.map(({ p, content }) =>
        file({
          path: p.file,
          // a program with a secret in its environment: the content is never shown, the file is root's alone
          content: p.sensitive ? secret(content, `supervisor program ${p.name}`) : content,
          mode: p.sensitive ? '0600' : '0644',
          owner: 'root',
          group: 'root',
          notify: UPDATE_HANDLER,
        })),
      ...(o.prune ? [prune({ keep: o.programs.map((p) => p.file), notify: UPDATE_HANDLER })] : []),
    ],
    handlers: () => ({
      [UPDATE_HANDLER]: command({ run: UPDATE_SCRIPT, always: true, title: 'supervisorctl reread + update' }),
    }),
  }));
}
