/**
 * `supervisor(options)`: Processes under supervisor: the Debian package, a program config per process, supervisorctl reread/update only on change
 *
 * A plugin is a plain object made by a factory: `contribute` adds to the site model (before any task is
 * planned), `configure` lists the provisioning tasks, `deploy` the tasks per deploy stage, `handlers`
 * the tasks that changed tasks `notify`. See docs/plugins.md.
 */
import { definePlugin, type Plugin } from '@runbook/core';
import { directory } from '@runbook/system';
import { greeting } from './greeting-task.js';
import { resolveSupervisorOptions, type SupervisorOptions } from './options.js';

/**
 * @example
 * plugins: [supervisor()]
 * @example
 * plugins: [supervisor({ greeting: 'configured by Runbook', dir: '/opt/supervisor/etc' })]
 */
export function supervisor(options: SupervisorOptions = {}): Plugin {
  // bad options fail here, when the config loads, before anything connects
  const o = resolveSupervisorOptions(options);
  return definePlugin({
    name: 'supervisor',
    configure: () => [
      directory({ path: o.dir, mode: '0755', recursive: true }),
      greeting({ path: o.file, text: o.greeting }),
    ],
  });
}
