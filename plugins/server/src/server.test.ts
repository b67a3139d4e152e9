/**
 * Table tests without a host: options and their errors, and the task list per host (which parts run,
 * the ssh port and web ports of the firewall, the root-login choice).
 */
import test from 'ava';
import { definePlugin, type PluginContext } from '@runbook/core';
import { pluginContext } from '@runbook/testing';
import { server, type ServerOptions } from './index.js';

const errorCases: { options: ServerOptions; message: RegExp }[] = [
  { options: { firewall: { allow: [{ port: 70000 }] } }, message: /server: firewall\.allow\[0\]\.port must be a port 1–65535 or a range/ },
  { options: { firewall: { allow: [{ port: '6010:6000' }] } }, message: /firewall\.allow\[0\]\.port must be/ },
  { options: { firewall: { allow: [{ port: 5432, from: '10.0.0.0/8; reboot' }] } }, message: /firewall\.allow\[0\]\.from must be an IP address or network/ },
  { options: { firewall: { allow: [{ port: 53, proto: 'icmp' as 'tcp' }] } }, message: /firewall\.allow\[0\]\.proto must be "tcp" or "udp"/ },
  { options: { ssh: { rootLogin: 'yes' as 'no' } }, message: /server: ssh\.rootLogin must be "no" or "prohibit-password", got "yes"/ },
  { options: { swap: { size: '2GB' } }, message: /server: swap\.size must be a size like "512M" or "2G", got "2GB"/ },
  { options: { swap: { size: '1G', path: 'swap' } }, message: /server: swap\.path must be an absolute file path/ },
  { options: { timezone: 'Europe/../Berlin' }, message: /server: timezone must be a zone name/ },
  { options: { hostname: 'web_1' }, message: /server: hostname must be false or a host name/ },
  { options: { upgrades: 'yes' as unknown as boolean }, message: /server: upgrades must be true or false/ },
];
for (const c of errorCases) {
  test(`bad options fail when the plugin is made: ${c.message.source.slice(0, 40)}`, (t) => {
    t.throws(() => server(c.options), { code: 'E_OPTIONS', message: c.message });
  });
}

const taskNames = (ctx: PluginContext, o: ServerOptions = {}) => server(o).configure!(ctx).map((x) => x.type.name);
const optionsOf = (ctx: PluginContext, name: string, o: ServerOptions = {}) =>
  server(o).configure!(ctx).find((x) => x.type.name === name)?.options as Record<string, unknown> | undefined;

test('defaults: host name from the alias, packages, auto-upgrades file, sshd, firewall — no swap, no time zone', (t) => {
  t.deepEqual(taskNames(pluginContext()), ['server.hostname', 'apt.packages', 'file.content', 'server.sshd', 'server.firewall']);
  t.deepEqual(optionsOf(pluginContext(), 'server.hostname'), { name: 'web-1' });
  t.deepEqual(optionsOf(pluginContext(), 'apt.packages')?.packages, ['ufw', 'unattended-upgrades']);
});

test('every part can be turned off; an IP alias is no host name', (t) => {
  t.deepEqual(taskNames(pluginContext({ hostname: '10.0.0.5' }), { firewall: false, ssh: false, upgrades: false }), []);
  t.deepEqual(taskNames(pluginContext(), { hostname: false, firewall: false, ssh: false, upgrades: false, timezone: 'Etc/UTC', swap: { size: '1G' } }),
    ['server.timezone', 'server.swap']);
  t.deepEqual(optionsOf(pluginContext(), 'server.swap', { swap: { size: '512M', belowMemory: '1G' } }), { size: 512 * 1024 ** 2, belowMemory: 1024 ** 3, path: '/swapfile' });
});

test('firewall sources are written the way ufw stores them (or the next run would see a change)', (t) => {
  const from = (f: string) => (optionsOf(pluginContext(), 'server.firewall', { firewall: { allow: [{ port: 5432, from: f }] } })?.allow as { from: string }[])[0].from;
  t.is(from('10.0.0.1/8'), '10.0.0.0/8');
  t.is(from('10.1.2.3/32'), '10.1.2.3');
  t.is(from('192.168.7.200/20'), '192.168.0.0/20');
  t.is(from('10.1.2.3'), '10.1.2.3');
  t.is(from('2001:db8::/32'), '2001:db8::/32');
  t.is(from('2001:db8::1/128'), '2001:db8::1');
  t.throws(() => server({ firewall: { allow: [{ port: 1, from: '10.0.0.300' }] } }), { message: /firewall\.allow\[0\]\.from must be an IP address/ });
  t.throws(() => server({ firewall: { allow: [{ port: 1, from: '10.0.0.0/33' }] } }), { message: /firewall\.allow\[0\]\.from must be an IP address/ });
});

test('the firewall allows the port this run connects on, not an option', (t) => {
  t.is(optionsOf({ ...pluginContext(), port: 2222 }, 'server.firewall')?.sshPort, 2222);
  t.is(optionsOf(pluginContext(), 'server.firewall')?.sshPort, 22, 'no port known (the default): 22');
});

test('80/443 only on hosts nginx is placed on; extra rules after them', (t) => {
  const nginx = definePlugin({ name: 'nginx', on: 'web' });
  const fleet = [{ alias: 'web-1', groups: ['web'] }, { alias: 'db-1', groups: ['data'] }];
  const o: ServerOptions = { firewall: { allow: [{ port: 5432, from: '10.0.0.0/8' }] } };
  const allow = (host: string) => (optionsOf(pluginContext({ plugins: [nginx, server(o)], fleet, hostname: host }), 'server.firewall', o)?.allow as { port: string }[]).map((r) => r.port);
  t.deepEqual(allow('web-1'), ['80', '443', '5432']);
  t.deepEqual(allow('db-1'), ['5432']);
  t.deepEqual(optionsOf(pluginContext(), 'server.firewall', { firewall: { web: true } })?.allow, [{ port: '80', proto: 'tcp' }, { port: '443', proto: 'tcp' }]);
});

test('root login: none for a sudo user, keys only for root, and "no" refused when the run logs in as root', (t) => {
  t.is(optionsOf(pluginContext(), 'server.sshd')?.rootLogin, 'no');
  t.is(optionsOf(pluginContext({ user: 'root' }), 'server.sshd')?.rootLogin, 'prohibit-password');
  t.is(optionsOf(pluginContext({ user: 'deploy' }), 'server.sshd', { ssh: { rootLogin: 'prohibit-password' } })?.rootLogin, 'prohibit-password');
  t.throws(() => server({ ssh: { rootLogin: 'no' } }).configure!(pluginContext({ user: 'root' })),
    { code: 'E_OPTIONS', message: /ssh\.rootLogin "no" would lock this run out: it logs in to web-1 as root/ });
});

test('the sshd drop-in notifies the reload handler, which reloads ssh', (t) => {
  const p = server();
  const task = p.configure!(pluginContext()).find((x) => x.type.name === 'server.sshd');
  t.deepEqual(task?.notify, ['server reload ssh']);
  const reload = p.handlers!({ ...pluginContext(), port: 2222 })['server reload ssh'];
  // sshd re-executes on SIGHUP: the handler waits until it listens again, so the next connection gets in
  t.regex((reload.options as { run: string }).run, /^systemctl reload ssh\n[\s\S]*until \[ -n "\$\(ss -Hltn 'sport = :2222'\)" \]/);
});
