/**
 * `uwsgi(options)`: the app server behind nginx, speaking the uwsgi protocol. uWSGI (`<unit>.service`)
 * serves the app's WSGI callable from `site.app.current` on `/run/<unit>/uwsgi.sock`; a deploy reloads
 * it gracefully (SIGHUP) after the switch without dropping a request.
 */
import { claim, definePlugin, placeable, errors, requireApp, type Plugin, type SiteModel } from '@runbook/core';
import { wsgiModule } from './render.js';
import { listenOf, resolveUwsgiOptions, unitOf, type UwsgiOptions } from './uwsgi-options.js';
import { reloadHandlerName, restartHandlerName, uwsgiIni, uwsgiPackages, uwsgiReload, uwsgiService, uwsgiStart, uwsgiTryReload, uwsgiTryRestart } from './uwsgi-tasks.js';

/**
 * @example
 * plugins: [app({ … }), uwsgi(), nginx()]
 * @example
 * uwsgi({ processes: 4, threads: 2, harakiri: 60, extraOptions: { 'max-requests': 1000 } })
 */
export function uwsgi(options: UwsgiOptions = {}): Plugin {
  // bad options fail when the config loads, before anything connects
  const o = resolveUwsgiOptions(options);
  const appOf = (site: SiteModel) => requireApp(site, 'uwsgi');
  return placeable(uwsgi, options, definePlugin({
    name: 'uwsgi',
    contribute(site) {
      const app = appOf(site);
      wsgiModule(app);
      if (site.upstream) throw errors.config(`uwsgi: the site already has an upstream (${site.upstream.protocol} ${site.upstream.address}): enable only one app server per app`, { key: 'plugins' });
      const listen = listenOf(o, app);
      site.upstream = { protocol: 'uwsgi', address: o.socket === 'unix' ? `unix:${listen}` : listen, unit: `${unitOf(o, app)}.service` };
      site.reloadUnits.push(`${unitOf(o, app)}.service`);
      claim(site, 'uwsgi', `unit ${unitOf(o, app)}.service`, `${o.socket === 'unix' ? 'socket' : 'address'} ${listen}`);
    },
    configure({ site }) {
      const app = appOf(site);
      const notify = reloadHandlerName(options, app);
      return [uwsgiPackages(), ...uwsgiIni(options, app, { notify }), uwsgiService(options, app), uwsgiStart(options, app)];
    },
    deploy: ({ site }) => ({ reload: [uwsgiReload(options, appOf(site))] }),
    // no rollback hook: @runbook/app's rollback restarts site.reloadUnits itself, only when it switched
    handlers: ({ site }) => ({
      [reloadHandlerName(options, appOf(site))]: uwsgiTryReload(options, appOf(site)),
      [restartHandlerName(options, appOf(site))]: uwsgiTryRestart(options, appOf(site)),
    }),
  }));
}
