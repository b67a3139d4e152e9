/**
 * `gunicorn(options)`: the app server behind nginx. systemd owns the listening socket
 * (`<unit>.socket`), gunicorn (`<unit>.service`) serves the app's WSGI or ASGI callable from
 * `site.app.current`, and a deploy restarts it after the switch without dropping a request.
 */
import { definePlugin, placeable, errors, requireApp, type Plugin, type SiteModel } from '@runbook/core';
import { resolveGunicornOptions, type GunicornOptions } from './gunicorn-options.js';
import { gunicornConfig, gunicornPackages, gunicornReload, gunicornService, gunicornSocket, gunicornTryRestart, restartHandlerName } from './gunicorn-tasks.js';
import { appModule } from './render-units.js';

/** The upstream address nginx forwards to: `unix:/run/<unit>.sock` or `host:port`. */
export function upstreamAddress(options: GunicornOptions = {}): string {
  const o = resolveGunicornOptions(options);
  return o.unixSocket ? `unix:${o.listen}` : o.listen;
}

/**
 * @example
 * plugins: [app({ … }), gunicorn(), nginx()]
 * @example
 * gunicorn({ bind: '127.0.0.1:8000', workers: 4, asgi: true, extraArgs: ['--max-requests', '1000'] })
 */
export function gunicorn(options: GunicornOptions = {}): Plugin {
  // bad options fail when the config loads, before anything connects
  const o = resolveGunicornOptions(options);
  const handler = restartHandlerName(options);
  const appOf = (site: SiteModel) => requireApp(site, 'gunicorn');
  return placeable(gunicorn, options, definePlugin({
    name: 'gunicorn',
    contribute(site) {
      const app = appOf(site);
      appModule(o, app);
      if (site.upstream) throw errors.config(`gunicorn: the site already has an upstream (${site.upstream.protocol} ${site.upstream.address}): enable only one app server`, { key: 'plugins' });
      site.upstream = { protocol: 'http', address: upstreamAddress(options) };
      site.reloadUnits.push(`${o.unit}.service`);
    },
    configure({ site }) {
      const app = appOf(site);
      return [
        gunicornPackages(options),
        ...gunicornConfig(options, app, { notify: handler }),
        gunicornService(options, app, { notify: handler }),
        gunicornSocket(options, app),
      ];
    },
    deploy: () => ({ reload: [gunicornReload(options)] }),
    // no rollback hook: @runbook/app's rollback restarts site.reloadUnits itself, only when it switched
    handlers: () => ({ [handler]: gunicornTryRestart(options) }),
  }));
}
