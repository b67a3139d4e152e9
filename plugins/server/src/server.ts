/**
 * `server(options)`: the baseline of a fresh VM — host name, time zone, unattended security upgrades,
 * a swap file on small hosts, SSH hardening and a ufw firewall that always lets this run's ssh port in.
 * Each part can be turned off; the parts that could lock the run out refuse to (see sshd-task.ts and
 * firewall-task.ts).
 */
import { definePlugin, errors, placeable, type Plugin, type PluginContext, type Task } from '@runbook/core';
import { apt, command, file } from '@runbook/system';
import { firewall } from './firewall-task.js';
import { hostname } from './hostname-task.js';
import { isHostname, resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { sshd } from './sshd-task.js';
import { swap } from './swap-task.js';
import { timezone } from './timezone-task.js';

/** The handler the sshd drop-in notifies. */
export const RELOAD_SSH = 'server reload ssh';

/**
 * Reload ssh, then wait until it listens again: on SIGHUP sshd re-executes itself and for a moment has no
 * listening socket, so a connection made right after the reload (the next run) would be refused.
 */
export const reloadSshScript = (port: number): string =>
  'systemctl reload ssh\n' +
  'command -v ss >/dev/null 2>&1 || { sleep 1; exit 0; }\n' +
  `i=0; until [ -n "$(ss -Hltn 'sport = :${port}')" ]; do i=$((i+1)); [ "$i" -lt 100 ] || { echo 'sshd does not listen on port ${port} after the reload' >&2; exit 1; }; sleep 0.1; done`;

export const AUTO_UPGRADES_FILE = '/etc/apt/apt.conf.d/20auto-upgrades';
/** what `dpkg-reconfigure unattended-upgrades` writes: refresh the lists and upgrade daily */
export const AUTO_UPGRADES = 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n';

/** Root login: keys only when the run logs in as root, else none; `no` for a root login is refused. */
function rootLogin(o: Exclude<ResolvedServerOptions['ssh'], false>, ctx: PluginContext): 'no' | 'prohibit-password' {
  if (ctx.user === 'root' && o.rootLogin === 'no') {
    throw errors.options(`server: ssh.rootLogin "no" would lock this run out: it logs in to ${ctx.alias} as root; log in as a sudo user (the inventory's user) first`, { key: 'ssh.rootLogin' });
  }
  return o.rootLogin ?? (ctx.user === 'root' ? 'prohibit-password' : 'no');
}

const runsNginx = (ctx: PluginContext): boolean => ctx.hostsWith('nginx').some((h) => h.alias === ctx.alias);

function tasks(o: ResolvedServerOptions, ctx: PluginContext): Task[] {
  const name = o.hostname === undefined ? (isHostname(ctx.alias) ? ctx.alias : undefined) : o.hostname || undefined;
  const packages = [...(o.firewall ? ['ufw'] : []), ...(o.upgrades ? ['unattended-upgrades'] : [])];
  const fw = o.firewall;
  const web = fw && (fw.web ?? runsNginx(ctx));
  return [
    ...(name ? [hostname({ name })] : []),
    ...(o.timezone ? [timezone({ zone: o.timezone })] : []),
    ...(packages.length ? [apt({ packages })] : []),
    ...(o.upgrades ? [file({ path: AUTO_UPGRADES_FILE, content: AUTO_UPGRADES, mode: '0644', owner: 'root', group: 'root' })] : []),
    ...(o.swap ? [swap(o.swap)] : []),
    ...(o.ssh ? [sshd({ user: ctx.user, rootLogin: rootLogin(o.ssh, ctx), notify: RELOAD_SSH })] : []),
    ...(fw ? [firewall({
      sshPort: ctx.port ?? 22,
      allow: [...(web ? [{ port: '80', proto: 'tcp' as const }, { port: '443', proto: 'tcp' as const }] : []), ...fw.allow],
    })] : []),
  ];
}

/**
 * @example
 * plugins: [server()]   // firewall (ssh + 80/443 with nginx), sshd hardening, unattended upgrades, host name
 * @example
 * server({ firewall: { allow: [{ port: 5432, from: '10.0.0.0/8' }] }, swap: { size: '2G' }, timezone: 'Europe/Berlin' })
 */
export function server(options: ServerOptions = {}): Plugin {
  // bad options fail here, when the config loads, before anything connects
  const o = resolveServerOptions(options);
  return placeable(server, options, definePlugin({
    name: 'server',
    configure: (ctx) => tasks(o, ctx),
    handlers: (ctx) => ({
      [RELOAD_SSH]: command({ run: reloadSshScript(ctx.port ?? 22), always: true, title: 'reload ssh' }),
    }),
  }));
}
