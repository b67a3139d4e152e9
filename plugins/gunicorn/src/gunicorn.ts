/**
 * `gunicorn(options)`: the app server behind nginx. systemd owns the listening socket
 * (`<unit>.socket`), gunicorn (`<unit>.service`) serves the app's WSGI or ASGI callable from
 * `site.app.current`, and a deploy restarts it after the switch without dropping a request.
 */
import { claim, definePlugin, placeable, errors, perAppName, requireApp, type Plugin, type SiteModel } from '@runbook/core';
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
  resolveGunicornOptions(options);
  const appOf = (site: SiteModel) => requireApp(site, 'gunicorn');
  return placeable(gunicorn, options, definePlugin({
    name: 'gunicorn',
    contribute(site, ctx) {
      const app = appOf(site);
      const own = siteOptions(options, ctx);
      const o = resolveGunicornOptions(own);
      appModule(o, app);
      if (site.upstream) throw errors.config(`gunicorn: the site already has an upstream (${site.upstream.protocol} ${site.upstream.address}): enable only one app server per app`, { key: 'plugins' });
      site.upstream = { protocol: 'http', address: upstreamAddress(own), unit: `${o.unit}.service` };
      site.reloadUnits.push(`${o.unit}.service`);
      claim(site, 'gunicorn', `unit ${o.unit}.service`, `unit ${o.unit}.socket`, `${o.unixSocket ? 'socket' : 'address'} ${o.listen}`);
    },
    configure(ctx) {
      const app = appOf(ctx.site);
      const own = siteOptions(options, ctx);
      const handler = restartHandlerName(own);
      return [
        gunicornPackages(own),
        ...gunicornConfig(own, app, { notify: handler }),
        gunicornService(own, app, { notify: handler }),
        gunicornSocket(own, app),
      ];
    },
    deploy: (ctx) => {
      if (!ctx.release) throw errors.config('gunicorn: deploy needs a release (the deploy playbook sets one)');
      return { reload: [gunicornReload(siteOptions(options, ctx), ctx.release)] };
    },
    // no rollback hook: @runbook/app's rollback restarts site.reloadUnits itself, only when it switched
    handlers: (ctx) => ({ [restartHandlerName(siteOptions(options, ctx))]: gunicornTryRestart(siteOptions(options, ctx)) }),
  }));
}

/**
 * The options for one site: the default unit is `gunicorn`, or `gunicorn-<app>` when the config has
 * several apps (two on one host must not share the unit, its socket and its /etc directory).
 */
export const siteOptions = (options: GunicornOptions, ctx: Parameters<typeof perAppName>[1]): GunicornOptions =>
  options.unit ? options : { ...options, unit: perAppName('gunicorn', ctx) };
