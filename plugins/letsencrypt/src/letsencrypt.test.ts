import test from 'ava';
import { emptySiteModel, type Plugin, type PluginContext } from '@runbook/core';
import { nginx } from '@runbook/nginx';
import { CERTBOT_DROP_IN, DEPLOY_HOOK, DEPLOY_HOOK_SCRIPT, letsencrypt, NGINX_HANDLERS } from './letsencrypt.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** contribute every plugin in order, as the configure playbook does */
function build(plugins: Plugin[], hostname = 'web1.example.com'): PluginContext {
  const site = emptySiteModel(hostname);
  const ctx = { site, config: { plugins } } as unknown as PluginContext;
  for (const p of plugins) p.contribute?.(site, ctx);
  return ctx;
}

test('contribute: TLS with the live paths of the first name, the webroot, extra names added to server_name', (t) => {
  const le = letsencrypt({ email: 'ops@example.com', extraNames: ['www.shop.example.com'], hsts: true });
  const { site } = build([nginx({ serverNames: ['shop.example.com'] }), le]);
  t.deepEqual(site.serverNames, ['shop.example.com', 'www.shop.example.com']);
  t.is(site.acmeWebroot, '/var/www/letsencrypt');
  t.deepEqual(site.tls, {
    certificate: '/etc/letsencrypt/live/shop.example.com/fullchain.pem', key: '/etc/letsencrypt/live/shop.example.com/privkey.pem', redirect: true, hsts: 31536000,
  });
});

test('contribute: nginx must come first; server names must be DNS names', (t) => {
  const le = letsencrypt({ email: 'ops@example.com' });
  t.throws(() => build([le]), { message: /letsencrypt needs nginx listed before it in plugins/ });
  t.throws(() => build([le, nginx()]), { message: /letsencrypt needs nginx listed before it/ });
  t.throws(() => build([nginx(), le], 'localhost'), { message: /serverNames\[0\] \(the names the certificate covers\) must be a DNS name/ });
});

test('configure: certbot, webroot, CA bundle + drop-in for the timer, the certificate (notifies nginx), deploy hook, timer', (t) => {
  const le = letsencrypt({ email: 'ops@example.com', caBundle: PEM, server: 'https://10.77.0.1:14000/dir', certName: 'shop' });
  const ctx = build([nginx({ serverNames: ['shop.example.com'] }), le]);
  const tasks = le.configure!(ctx);
  t.deepEqual(tasks.map((x) => `${x.type.name} ${x.title}`), [
    'apt.packages certbot openssl',
    'file.directory /var/www/letsencrypt',
    'file.directory /etc/letsencrypt',
    'file.line /etc/letsencrypt/cli.ini: server = https://10.77.0.1:14000/dir',
    'file.content /etc/letsencrypt/runbook-acme-ca.pem',
    'file.directory /etc/systemd/system/certbot.service.d',
    `file.content ${CERTBOT_DROP_IN}`,
    'command.run systemctl daemon-reload (certbot.service drop-in)',
    'letsencrypt.certificate /etc/letsencrypt/live/shop (shop.example.com)',
    'file.directory /etc/letsencrypt/renewal-hooks/deploy',
    `file.content ${DEPLOY_HOOK}`,
    'systemd.unit certbot.timer',
  ]);
  t.deepEqual(tasks[3].options, { path: '/etc/letsencrypt/cli.ini', line: 'server = https://10.77.0.1:14000/dir', regexp: '^\\s*server\\s*=', create: true });
  t.is(tasks[4].options.content, PEM);
  t.regex(tasks[6].options.content, /\[Service\]\nEnvironment=REQUESTS_CA_BUNDLE=\/etc\/letsencrypt\/runbook-acme-ca\.pem\n/);
  t.regex(tasks[7].options.unless, /NeedDaemonReload --value certbot\.service\)" = no \] && .*DropInPaths .*grep -qxF \/etc\/systemd\/system\/certbot\.service\.d\/runbook-acme-ca\.conf$/);
  const cert = tasks[8];
  t.like(cert.options, { certName: 'shop', names: ['shop.example.com'], server: 'https://10.77.0.1:14000/dir', keyType: 'ecdsa', caBundleFile: '/etc/letsencrypt/runbook-acme-ca.pem' });
  t.deepEqual(cert.notify, NGINX_HANDLERS);
  t.is(tasks[10].options.mode, '0755');
  t.is(tasks[10].options.content, DEPLOY_HOOK_SCRIPT);
  t.like(tasks[11].options, { enabled: true, state: 'started' });
  // nginx has both handlers, the site first
  const handlers = Object.keys(nginx().handlers!(ctx));
  t.deepEqual(handlers, NGINX_HANDLERS);
});

test('configure: a CA bundle path on the host is used as is; without one, no drop-in', (t) => {
  const withPath = letsencrypt({ email: 'ops@example.com', caBundle: '/usr/local/share/ca-certificates/ca.crt' });
  const ctx = build([nginx({ serverNames: ['shop.example.com'] }), withPath]);
  const tasks = withPath.configure!(ctx);
  t.false(tasks.some((x) => x.title === '/etc/letsencrypt/runbook-acme-ca.pem'));
  t.regex(tasks.find((x) => x.title === CERTBOT_DROP_IN)!.options.content, /REQUESTS_CA_BUNDLE=\/usr\/local\/share\/ca-certificates\/ca\.crt/);
  const plain = letsencrypt({ email: 'ops@example.com' });
  t.false(plain.configure!(build([nginx({ serverNames: ['shop.example.com'] }), plain])).some((x) => x.title === CERTBOT_DROP_IN));
});

test('nginx renders the TLS block from the contribution, and the port-80 block while the certificate is missing', (t) => {
  const le = letsencrypt({ email: 'ops@example.com', hsts: 600 });
  const ctx = build([nginx({ serverNames: ['shop.example.com'] }), le]);
  const site = nginx().configure!(ctx).find((x) => x.type.name === 'nginx.site')!;
  t.regex(site.options.content, /listen 443 ssl;\n[^]*ssl_certificate \/etc\/letsencrypt\/live\/shop\.example\.com\/fullchain\.pem;/);
  t.regex(site.options.content, /return 301 https:\/\/\$host\$request_uri;/);
  t.regex(site.options.content, /Strict-Transport-Security "max-age=600"/);
  t.notRegex(site.options.pending.content, /443/);
  t.regex(site.options.pending.content, /location \^~ \/\.well-known\/acme-challenge\/ \{\n\s+root \/var\/www\/letsencrypt;/);
});

test('bad options fail when the plugin is made', (t) => {
  t.throws(() => letsencrypt({} as never), { message: /letsencrypt: email must be/ });
});

