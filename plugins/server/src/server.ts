/**
 * `server(options)`: The baseline of a fresh VM: firewall, SSH hardening, upgrades, swap, timezone, hostname
 *
 * A plugin is a plain object made by a factory: `contribute` adds to the site model (before any task is
 * planned), `configure` lists the provisioning tasks, `deploy` the tasks per deploy stage, `handlers`
 * the tasks that changed tasks `notify`. See docs/plugins.md.
 */
import { definePlugin, placeable, type Plugin } from '@runbook/core';
import { directory } from '@runbook/system';
import { greeting } from './greeting-task.js';
import { resolveServerOptions, type ServerOptions } from './options.js';

/**
 * @example
 * plugins: [server()]
 * @example
 * plugins: [server({ greeting: 'configured by Runbook', dir: '/opt/server/etc' })]
 */
export function server(options: ServerOptions = {}): Plugin {
  // bad options fail here, when the config loads, before anything connects
  const o = resolveServerOptions(options);
  // placeable: `on` places it on groups or hosts, and a var named after it sets options per host
  return placeable(server, options, definePlugin({
    name: 'server',
    configure: () => [
      directory({ path: o.dir, mode: '0755', recursive: true }),
      greeting({ path: o.file, text: o.greeting }),
    ],
  }));
}
