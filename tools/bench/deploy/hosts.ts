/**
 * The deploy bench's hosts: one set per size (`bdep`), configured by Runbook once, and reset to that
 * configured state before every tool's cell (the deploy state removed, then `run configure` again), so
 * every tool starts from the same host. Execs are counted on the hosts, from sshd's own log.
 */
import { up, writeInventory, type HostSet } from '@runbook/testhosts';
import { sh } from './proc.js';
import { busy } from '../machine-busy.js';

export const SET = 'bdep';

const root = (hs: HostSet, i: number, script: string) =>
  sh('ssh', ['-F', hs.sshConfigFile, '-o', 'BatchMode=yes', `root@${hs.hosts[i].name}`, script]);

async function onAll(hs: HostSet, what: string, script: string): Promise<string[]> {
  const rs = await Promise.all(hs.hosts.map((_, i) => root(hs, i, script)));
  const bad = rs.findIndex((r) => r.code !== 0);
  if (bad >= 0) throw new Error(`${what} on ${hs.hosts[bad].name}: exit ${rs[bad].code}: ${rs[bad].stderr.slice(-600)}`);
  return rs.map((r) => r.stdout);
}

/** Boots the set, waits for every host's boot, and has sshd log each session it starts (LogLevel VERBOSE). */
export async function bootSet(size: number, project: string): Promise<HostSet> {
  const hs = await up({ set: SET, count: size });
  await onAll(hs, 'boot', 'timeout 60 systemctl is-system-running --wait >/dev/null || true');
  // "Starting session: command for root from … port N id 0": one line per exec, shell or subsystem
  await onAll(hs, 'sshd LogLevel', "echo 'LogLevel VERBOSE' > /etc/ssh/sshd_config.d/90-bench.conf && systemctl reload ssh");
  writeInventory(SET, `${project}/inventories/${SET}.yml`, { user: 'deploy' });
  return hs;
}

/** What any tool's deploy leaves on a host (Runbook's, Capistrano's and the scripts' state alike). */
const deployState = ['current', 'current.new', 'releases', '.releases', '.venvs', 'repo', 'revisions.log', 'deploy.log',
  '.deploy-lock', '.env-restart-pending', 'shared/venvs', 'shared/db.sqlite3'].map((p) => `/srv/demo/${p}`);

/** Back to the configured state: the app stopped, its deploy state removed, then Runbook's configure. */
export async function resetHosts(hs: HostSet, configure: () => Promise<void>): Promise<void> {
  await onAll(hs, 'reset', `systemctl stop gunicorn.service 2>/dev/null; systemctl reset-failed gunicorn.service 2>/dev/null; rm -rf ${deployState.join(' ')}`);
  await configure();
}

/** Waits until the machine is quiet (under 15% busy over half a second), at most `maxMs`. */
export async function quiet(maxMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs && (await busy(500)) > 0.15);
  return (Date.now() - t0) / 1000;
}

export interface Mark { cursor: string; port: string }
export interface HostCounts { sessions: number; logins: number; revision: string }

const cursorScript = 'set -- $SSH_CLIENT; echo "$2"; journalctl -q -n 0 --show-cursor | sed -n "s/^-- cursor: //p"';

/** The journal position of every host before a deploy (and the port of this ssh, whose session is not counted). */
export async function mark(hs: HostSet): Promise<Mark[]> {
  return (await onAll(hs, 'journal cursor', cursorScript)).map((o) => {
    const [port, cursor] = o.trim().split('\n');
    return { port, cursor };
  });
}

/**
 * sshd's sessions (exec channels, shells, subsystems: one "Starting session" line each) and logins
 * ("Accepted publickey") since the mark, without the bench's own two ssh commands; and the commit the
 * host now serves (current/REVISION).
 */
export async function countSince(hs: HostSet, marks: Mark[]): Promise<HostCounts[]> {
  return Promise.all(hs.hosts.map(async (h, i) => {
    const m = marks[i];
    const r = await root(hs, i, [
      'set -- $SSH_CLIENT',
      `log=$(journalctl -q -o cat _COMM=sshd --after-cursor='${m.cursor}' | grep -v -e "port $2 " -e "port ${m.port} ")`,
      'echo "$log" | grep -c "Starting session:" || true',
      'echo "$log" | grep -c "Accepted publickey" || true',
      'cat /srv/demo/current/REVISION 2>/dev/null || echo none',
    ].join('\n'));
    if (r.code !== 0) throw new Error(`counting sessions on ${h.name}: ${r.stderr}`);
    const [sessions, logins, revision] = r.stdout.trim().split('\n');
    return { sessions: Number(sessions), logins: Number(logins), revision: revision.trim() };
  }));
}

/**
 * For a failed deploy: gunicorn's journal since the mark on (at most 2) hosts where it logged a failure or
 * an error: the lines just before and after the first such line (systemd may have restarted it since).
 */
export async function gunicornLog(hs: HostSet, marks: Mark[]): Promise<string> {
  const rs = await Promise.all(hs.hosts.map((_, i) => root(hs, i,
    `l=$(journalctl -q -o cat -u gunicorn.service --after-cursor='${marks[i].cursor}' --no-pager); echo "$l" | grep -i -m 1 -B 6 -A 8 -e fail -e error -e Traceback`)));
  return rs.map((r, i) => (r.stdout.trim() ? `${hs.hosts[i].name} gunicorn: ${r.stdout.trim().split('\n').join(' | ')}` : ''))
    .filter(Boolean).slice(0, 2).join('; ');
}
