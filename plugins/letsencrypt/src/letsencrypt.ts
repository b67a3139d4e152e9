/**
 * `letsencrypt(options)`: a certificate for the site's names from Let's Encrypt (or any ACME server)
 * through certbot's webroot method, nginx serving it on 443, and renewal by Debian's certbot.timer with a
 * deploy hook that reloads nginx.
 *
 * Order within one configure run: nginx (listed first) writes its server block; while the certificate
 * is missing on the host that block is the port-80 one that serves the ACME webroot (nginx.site's
 * `pending`), and nginx is reloaded at the end of its phase. Then this plugin's phase obtains the
 * certificate and notifies nginx's `update nginx site` and `reload nginx` handlers: the TLS block
 * replaces the port-80 one in the same run.
 */
import { definePlugin, placeable, errors, sh, type Plugin, type PluginContext, type SiteModel, type Task } from '@runbook/core';
import { apt, command, directory, file, line, systemdUnit } from '@runbook/system';
import { certificate } from './certificate.js';
import { dnsName, resolveLetsencryptOptions, type LetsencryptOptions, type ResolvedLetsencryptOptions } from './letsencrypt-options.js';

/** nginx's handlers this plugin notifies (by name: plugins never import each other). */
export const NGINX_HANDLERS = ['update nginx site', 'reload nginx'];
export const CA_BUNDLE_FILE = '/etc/letsencrypt/runbook-acme-ca.pem';
export const CERTBOT_DROP_IN = '/etc/systemd/system/certbot.service.d/runbook-acme-ca.conf';
export const CLI_INI = '/etc/letsencrypt/cli.ini';
export const DEPLOY_HOOK = '/etc/letsencrypt/renewal-hooks/deploy/runbook-reload-nginx';

export const DEPLOY_HOOK_SCRIPT = [
  '#!/bin/sh',
  '# Managed by Runbook (@runbook/letsencrypt): after a renewal, nginx loads the new certificate.',
  'set -e',
  'nginx -t -q',
  'systemctl reload nginx.service',
  '',
].join('\n');

/** The certificate's name and paths for a site (the name defaults to the first server name). */
export function certPaths(site: SiteModel, o: ResolvedLetsencryptOptions): { certName: string; certificate: string; key: string } {
  const certName = o.certName ?? site.serverNames[0];
  const dir = `/etc/letsencrypt/live/${certName}`;
  return { certName, certificate: `${dir}/fullchain.pem`, key: `${dir}/privkey.pem` };
}

/** The plugin's part of the site model: the extra names, the ACME webroot, TLS with the certificate paths. */
export function contributeLetsencrypt(site: SiteModel, o: ResolvedLetsencryptOptions): void {
  site.serverNames.forEach((n, i) => dnsName(`serverNames[${i}] (the names the certificate covers)`, n));
  for (const n of o.extraNames) if (!site.serverNames.map((s) => s.toLowerCase()).includes(n)) site.serverNames.push(n);
  site.acmeWebroot = o.webroot;
  const { certificate: cert, key } = certPaths(site, o);
  site.tls = { certificate: cert, key, redirect: o.redirect, ...(o.hsts !== undefined ? { hsts: o.hsts } : {}) };
}

/** The configure tasks: certbot, webroot, CA bundle, the certificate, the deploy hook, the timer. */
export function letsencryptConfigureTasks(ctx: Pick<PluginContext, 'site'>, o: ResolvedLetsencryptOptions): Task[] {
  const { certName } = certPaths(ctx.site, o);
  const tasks: Task[] = [
    apt({ packages: ['certbot', 'openssl'] }),
    directory({ path: o.webroot, mode: '0755', owner: 'root', group: 'root', recursive: true }),
    directory({ path: '/etc/letsencrypt', mode: '0755', owner: 'root', group: 'root' }),
    // certbot's default server on this host: `certbot renew --dry-run` then tests against the configured
    // ACME server (certbot 2.1 swaps in Let's Encrypt's staging unless --server names another one)
    line({ path: CLI_INI, line: `server = ${o.server}`, regexp: '^\\s*server\\s*=', create: true }),
  ];
  let caBundleFile: string | undefined;
  if (o.caBundle) {
    if ('content' in o.caBundle) {
      caBundleFile = CA_BUNDLE_FILE;
      tasks.push(
        file({ path: CA_BUNDLE_FILE, content: o.caBundle.content, mode: '0644', owner: 'root', group: 'root' }),
      );
    } else caBundleFile = o.caBundle.path;
    // the renewal timer's certbot runs need the bundle too
    tasks.push(
      directory({ path: '/etc/systemd/system/certbot.service.d', mode: '0755', owner: 'root', group: 'root' }),
      file({
        path: CERTBOT_DROP_IN, mode: '0644', owner: 'root', group: 'root',
        content: `# Managed by Runbook (@runbook/letsencrypt): the private ACME server's CA for renewals\n[Service]\nEnvironment=REQUESTS_CA_BUNDLE=${caBundleFile}\n`,
      }),
      // systemd 252 flags a changed drop-in (NeedDaemonReload) but not a new one: check both
      command({
        title: 'systemctl daemon-reload (certbot.service drop-in)',
        run: ['systemctl', 'daemon-reload'],
        unless: sh`[ "$(systemctl show -p NeedDaemonReload --value certbot.service)" = no ] && systemctl show -p DropInPaths --value certbot.service | tr ' ' '\\n' | grep -qxF ${CERTBOT_DROP_IN}`,
      }),
    );
  }
  tasks.push(
    certificate({
      certName, names: ctx.site.serverNames, webroot: o.webroot, email: o.email, server: o.server, keyType: o.keyType,
      ...(caBundleFile ? { caBundleFile } : {}),
      notify: NGINX_HANDLERS,
    }),
    directory({ path: '/etc/letsencrypt/renewal-hooks/deploy', mode: '0755', owner: 'root', group: 'root', recursive: true }),
    file({ path: DEPLOY_HOOK, content: DEPLOY_HOOK_SCRIPT, mode: '0755', owner: 'root', group: 'root' }),
    systemdUnit({ name: 'certbot.timer', enabled: true, state: 'started' }),
  );
  return tasks;
}

/**
 * @example
 * plugins: [app({ … }), gunicorn(), nginx({ serverNames: ['shop.example.com'] }), letsencrypt({ email: 'ops@shop.example.com' })]
 * @example
 * env === 'prod' && letsencrypt({ email: 'ops@shop.example.com', extraNames: ['www.shop.example.com'], hsts: true })
 */
export function letsencrypt(options: LetsencryptOptions): Plugin {
  // bad options fail when the config loads, before anything connects
  const o = resolveLetsencryptOptions(options);
  return placeable(letsencrypt, options, definePlugin({
    name: 'letsencrypt',
    contribute(site, ctx) {
      const plugins = ctx.config.plugins.filter(Boolean);
      const at = plugins.findIndex((p) => p.name === 'letsencrypt');
      const nginxAt = plugins.findIndex((p) => p.name === 'nginx');
      if (nginxAt < 0 || (at >= 0 && nginxAt > at)) {
        throw errors.config('letsencrypt needs nginx listed before it in plugins: nginx serves the ACME challenge over http before the certificate is requested', { key: 'plugins' });
      }
      contributeLetsencrypt(site, o);
    },
    configure: (ctx) => letsencryptConfigureTasks(ctx, o),
  }));
}
