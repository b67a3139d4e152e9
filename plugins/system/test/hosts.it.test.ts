/**
 * Integration tests of every primitive against a real disposable Debian 12 host (systemd-nspawn, sshd,
 * systemd as PID 1) from @runbook/testhosts, over a real SshConnection as the non-root `deploy` user
 * (so every task runs through `sudo -n`). Each primitive: first run changed (≤ 2 execs), second run ok
 * with no changes in exactly 1 exec, and the effect checked from outside with the system `ssh` client.
 * Fails (never skips) when the hosts cannot boot.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runTask, SshConnection, type HostRunContext, type SshTarget, type Task, type TaskResult } from '@runbook/core';
import { checkoutSet, type HostSet, type TestHost, up } from '@runbook/testhosts';
import { apt, command, directory, download, file, git, group, line, symlink, systemdUnit, template, user } from '../src/index.js';

const run$ = promisify(execFile);
const SET = checkoutSet('itsys');
const BRIDGE = '10.77.0.1';

let hosts: HostSet;
let host: TestHost;
let conn: SshConnection;
let scratch: string;

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rb-sys-it-'));
  hosts = await up({ set: SET, count: 1 });
  host = hosts.hosts[0];
  const target: SshTarget = {
    alias: host.name,
    hostname: host.address,
    port: 22,
    user: 'deploy',
    identityFiles: [hosts.keyFile],
    identitiesOnly: true,
    knownHostsFiles: [hosts.knownHostsFile],
    strictHostKeyChecking: 'yes',
  };
  conn = await SshConnection.connect(target, { projectKnownHosts: join(scratch, 'known_hosts') });
});

test.after.always(async () => {
  await conn?.close();
  await hosts?.down();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

type Run = TaskResult & { execs: number };

async function run(task: Task, opts: { check?: boolean } = {}): Promise<Run> {
  const ctx: HostRunContext = { alias: host.name, user: 'deploy', vars: {}, check: opts.check ?? false };
  const before = conn.stats.execs;
  const r = await runTask(conn, task, ctx);
  return { ...r, execs: conn.stats.execs - before };
}

/** A command on the host through the system ssh client (as root via sudo); its trimmed stdout. */
async function ssh(cmd: string): Promise<string> {
  const { stdout } = await run$('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', host.name, `sudo -n sh -c ${shq(cmd)}`], {
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

const why = (r: Run): string => r.error?.message ?? JSON.stringify({ status: r.status, changes: r.changes, reason: r.reason });

/** Changed in ≤ 2 execs. */
function changed(t: ExecutionContext, r: Run, label = ''): void {
  t.is(r.status, 'changed', `${label} ${why(r)}`);
  t.true(r.execs <= 2, `${label} a change took ${r.execs} execs`);
  t.true((r.changes?.length ?? 0) > 0, `${label} no changes listed`);
}

/** No-op: ok, no changes, exactly 1 exec. */
function ok(t: ExecutionContext, r: Run, label = ''): void {
  t.is(r.status, 'ok', `${label} ${why(r)}`);
  t.is(r.changes, undefined, `${label} ${why(r)}`);
  t.is(r.execs, 1, `${label} a no-op took ${r.execs} execs`);
}

/**
 * Check mode first (changed, 1 exec, and it must not apply: the real run after it still changes), then
 * the first run changes, the second is a 1-exec no-op.
 */
async function twice(t: ExecutionContext, task: Task, label = task.title): Promise<Run> {
  const dry = await run(task, { check: true });
  t.is(dry.status, 'changed', `${label} (check): ${why(dry)}`);
  t.is(dry.execs, 1, `${label} (check): ${dry.execs} execs`);
  const first = await run(task);
  t.deepEqual(first.changes, dry.changes, `${label}: check mode planned other changes`);
  changed(t, first, `${label} (1st):`);
  ok(t, await run(task), `${label} (2nd):`);
  return first;
}

test.serial('apt: present, latest, absent', async (t) => {
  // tree: tiny and not in the base image
  t.is(await ssh(`dpkg-query -W -f='\${Status}' tree 2>/dev/null || echo none`), 'none');
  const first = await twice(t, apt({ packages: 'tree' }), 'apt tree');
  t.true(first.changes!.some((c) => /^install tree$/.test(c)), first.changes!.join('; '));
  t.is(await ssh(`dpkg-query -W -f='\${Status}' tree`), 'install ok installed');
  t.regex(await ssh('tree --version'), /^tree v/);

  // a stale cache is refreshed when asked (updateCache), and the refresh makes it fresh
  await ssh('touch -d "2 hours ago" /var/lib/apt/periodic/update-success-stamp /var/lib/apt/lists 2>/dev/null || { mkdir -p /var/lib/apt/periodic; touch -d "2 hours ago" /var/lib/apt/periodic/update-success-stamp /var/lib/apt/lists; }');
  const upd = await twice(t, apt({ packages: 'tree', updateCache: true }), 'apt updateCache');
  t.deepEqual(upd.changes, ['update apt cache (2 h old)']);
  const missing = await run(apt({ packages: 'rb-no-such-package' }));
  t.is(missing.status, 'failed');
  t.regex(missing.error!.message, /Unable to locate package rb-no-such-package/);

  // latest: already the candidate → ok; a missing package under latest is installed
  ok(t, await run(apt({ packages: 'tree', state: 'latest' })), 'apt tree latest');
  await twice(t, apt({ packages: ['jq', 'tree'], state: 'latest' }), 'apt jq latest');
  t.is(await ssh(`dpkg-query -W -f='\${Status}' jq`), 'install ok installed');

  const removed = await twice(t, apt({ packages: ['tree', 'jq'], state: 'absent' }), 'apt absent');
  t.deepEqual(removed.changes, ['remove tree, jq']);
  // tree has no conffiles: removed, it is gone from dpkg's database altogether
  t.is(await ssh(`dpkg-query -W -f='\${Status}' tree 2>/dev/null || echo none`), 'none');
  t.is(await ssh('command -v tree || echo gone'), 'gone');
});

test.serial('group: system group, then a gid change', async (t) => {
  await twice(t, group({ name: 'rbapp', system: true }));
  const [, , gid] = (await ssh('getent group rbapp')).split(':');
  t.true(Number(gid) < 1000, `system gid ${gid}`);
  const r = await twice(t, group({ name: 'rbapp', gid: 1550 }));
  t.deepEqual(r.changes, [`gid ${gid} → 1550`]);
  t.is(await ssh('getent group rbapp'), 'rbapp:x:1550:');
  await twice(t, group({ name: 'rbgone' }));
  await twice(t, group({ name: 'rbgone', state: 'absent' }));
  t.is(await ssh('getent group rbgone || echo none'), 'none');
});

test.serial('user: system user with home, shell, own group and supplementary groups', async (t) => {
  const u = user({ name: 'rbsvc', system: true, home: '/var/lib/rbsvc', createHome: true, shell: '/bin/bash', group: 'rbsvc', groups: ['rbapp', 'adm'] });
  await twice(t, u);
  const [name, , uid, gid, , home, shell] = (await ssh('getent passwd rbsvc')).split(':');
  t.is(name, 'rbsvc');
  t.true(Number(uid) < 1000, `system uid ${uid}`);
  t.is(home, '/var/lib/rbsvc');
  t.is(shell, '/bin/bash');
  t.is(await ssh('getent group rbsvc | cut -d: -f3'), gid);
  t.is(await ssh('stat -c %U:%G /var/lib/rbsvc'), 'rbsvc:rbsvc');
  t.deepEqual((await ssh('id -Gn rbsvc')).split(' ').sort(), ['adm', 'rbapp', 'rbsvc']);

  // groups are only added; a shell change is a usermod
  const more = await twice(t, user({ name: 'rbsvc', groups: ['www-data'], shell: '/usr/sbin/nologin' }));
  t.deepEqual(more.changes, ['shell /bin/bash → /usr/sbin/nologin', 'add to groups www-data']);
  t.deepEqual((await ssh('id -Gn rbsvc')).split(' ').sort(), ['adm', 'rbapp', 'rbsvc', 'www-data']);
  t.is(await ssh('getent passwd rbsvc | cut -d: -f7'), '/usr/sbin/nologin');

  // another existing group as primary; a system user gets no home unless asked; a comment with spaces
  await twice(t, user({ name: 'rbsys2', system: true, group: 'rbapp', comment: 'Runbook svc two', home: '/var/lib/rbsys2' }));
  const e = (await ssh('getent passwd rbsys2')).split(':');
  t.deepEqual([e[3], e[4], e[5]], ['1550', 'Runbook svc two', '/var/lib/rbsys2']);
  t.is(await ssh('test -e /var/lib/rbsys2 || echo nohome'), 'nohome');
  const c = await twice(t, user({ name: 'rbsys2', comment: 'Two', uid: 1777 }));
  t.deepEqual(c.changes, [`uid ${e[2]} → 1777`, 'comment "Runbook svc two" → "Two"']);
  t.is(await ssh('id -u rbsys2; id -gn rbsys2'), '1777\nrbapp');

  // a plain user gets /home/<name>; absent keeps the home
  await twice(t, user({ name: 'rbtmp' }));
  t.is(await ssh('getent passwd rbtmp | cut -d: -f6'), '/home/rbtmp');
  t.is(await ssh('test -d /home/rbtmp && echo yes'), 'yes');
  await twice(t, user({ name: 'rbtmp', state: 'absent' }));
  t.is(await ssh('getent passwd rbtmp || echo none'), 'none');
  t.is(await ssh('test -d /home/rbtmp && echo kept'), 'kept');
});

test.serial('directory: owner, group, mode, recursive; mode change; absent', async (t) => {
  await twice(t, directory({ path: '/srv/rb/shared', owner: 'rbsvc', group: 'rbapp', mode: '0750', recursive: true }));
  t.is(await ssh('stat -c %a:%U:%G /srv/rb/shared'), '750:rbsvc:rbapp');
  t.is(await ssh('stat -c %a:%U:%G /srv/rb'), '755:root:root');
  const r = await twice(t, directory({ path: '/srv/rb/shared', mode: '2770' }));
  t.deepEqual(r.changes, ['mode 0750 → 2770']);
  t.is(await ssh('stat -c %a:%U:%G /srv/rb/shared'), '2770:rbsvc:rbapp');
  await twice(t, directory({ path: '/srv/rb/tmp/a/b', recursive: true }));
  await twice(t, directory({ path: '/srv/rb/tmp', state: 'absent' }));
  t.is(await ssh('test -e /srv/rb/tmp || echo gone'), 'gone');
});

test.serial('file: content, mode, non-root owner; attribute-only change; check mode', async (t) => {
  const path = '/srv/rb/shared/app.conf';
  const f = file({ path, content: 'DEBUG=0\nPORT=8080\n', mode: '0640', owner: 'rbsvc', group: 'rbapp' });
  await twice(t, f);
  t.is(await ssh(`stat -c %a:%U:%G ${path}`), '640:rbsvc:rbapp');
  t.is(await ssh(`cat ${path}`), 'DEBUG=0\nPORT=8080');
  t.is(await ssh('ls -A /srv/rb/shared | grep -c "^\\.rb\\." || :'), '0');

  const attrs = await twice(t, file({ path, content: 'DEBUG=0\nPORT=8080\n', mode: '0600', owner: 'rbsvc', group: 'rbsvc' }));
  t.deepEqual(attrs.changes, ['mode 0640 → 0600', 'group rbapp → rbsvc']);
  t.is(await ssh(`stat -c %a:%U:%G ${path}`), '600:rbsvc:rbsvc');

  // check mode: reports the change and its diff, touches nothing
  const before = await ssh(`stat -c %i:%Y ${path}; sha256sum ${path}`);
  const c = await run(file({ path, content: 'DEBUG=1\nPORT=8080\n', mode: '0644' }), { check: true });
  t.is(c.status, 'changed', why(c));
  t.is(c.execs, 1);
  t.deepEqual(c.changes, [`update content of ${path} (2 → 2 lines)`, 'mode 0600 → 0644']);
  t.is(c.diff, `--- ${path}\n+++ ${path}\n@@ -1,2 +1,2 @@\n-DEBUG=0\n+DEBUG=1\n PORT=8080\n`);
  t.is(await ssh(`stat -c %i:%Y ${path}; sha256sum ${path}`), before);
  t.is(await ssh(`stat -c %a ${path}`), '600');

  // a content change keeps the unset owner/group of the old file
  await twice(t, file({ path, content: 'DEBUG=1\n' }));
  t.is(await ssh(`stat -c %a:%U:%G ${path}; cat ${path}`), '600:rbsvc:rbsvc\nDEBUG=1');
});

test.serial('template: rendered, owned by a non-root user', async (t) => {
  const path = '/srv/rb/shared/gunicorn.conf.py';
  const tpl = 'bind = "{{ bind }}"\nworkers = {{ workers | default: 2 }}\n';
  await twice(t, template({ path, template: tpl, vars: { bind: '127.0.0.1:8000' }, owner: 'rbsvc', group: 'rbapp', mode: '0644' }));
  t.is(await ssh(`cat ${path}`), 'bind = "127.0.0.1:8000"\nworkers = 2');
  t.is(await ssh(`stat -c %a:%U:%G ${path}`), '644:rbsvc:rbapp');
  const r = await twice(t, template({ path, template: tpl, vars: { bind: '127.0.0.1:8000', workers: 4 } }));
  t.regex(r.diff!, /^-workers = 2\n\+workers = 4$/m);
  t.is(await ssh(`cat ${path}; stat -c %U:%G ${path}`), 'bind = "127.0.0.1:8000"\nworkers = 4\nrbsvc:rbapp');
});

test.serial('symlink: created with owner, relinked atomically', async (t) => {
  await ssh('mkdir -p /srv/rb/releases/r1 /srv/rb/releases/r2');
  await twice(t, symlink({ path: '/srv/rb/current', target: '/srv/rb/releases/r1', owner: 'rbsvc', group: 'rbapp' }));
  t.is(await ssh('readlink /srv/rb/current; stat -c %F:%U:%G /srv/rb/current'), '/srv/rb/releases/r1\nsymbolic link:rbsvc:rbapp');
  const r = await twice(t, symlink({ path: '/srv/rb/current', target: 'releases/r2' }));
  t.deepEqual(r.changes, ['relink /srv/rb/current: /srv/rb/releases/r1 → releases/r2']);
  t.is(await ssh('readlink /srv/rb/current; test -d /srv/rb/current && echo dir'), 'releases/r2\ndir');
  t.is(await ssh('stat -c %U:%G /srv/rb/current'), 'rbsvc:rbapp', 'a relink keeps the owner when none is given');
  t.is(await ssh('ls -A /srv/rb | grep -c "^\\.rb\\." || :'), '0');
});

test.serial('line: replace, insert after, absent, create', async (t) => {
  const path = '/etc/rb-sshd.conf';
  await ssh(`printf '#PasswordAuthentication yes\\nPort 22\\n[extra]\\nkey=1\\n' > ${path}; chmod 0600 ${path}; chown rbsvc ${path}`);
  await twice(t, line({ path, regexp: '^#?PasswordAuthentication\\s', line: 'PasswordAuthentication no' }));
  await twice(t, line({ path, line: 'key2=2', insertAfter: '^\\[extra\\]' }));
  await twice(t, line({ path, regexp: '^Port ', line: '', state: 'absent' }));
  t.is(await ssh(`cat ${path}`), 'PasswordAuthentication no\n[extra]\nkey2=2\nkey=1');
  t.is(await ssh(`stat -c %a:%U ${path}`), '600:rbsvc', 'line keeps the mode and owner');
  await twice(t, line({ path: '/etc/rb-new.conf', line: 'a=1', create: true }));
  t.is(await ssh('cat /etc/rb-new.conf; stat -c %a:%U /etc/rb-new.conf'), 'a=1\n644:root');
});

const HTTP_PORT = 8123;
const unit = (extra: string): string =>
  `[Unit]\nDescription=Runbook it test http\n[Service]\nUser=rbsvc\n${extra}ExecStart=/usr/bin/python3 -m http.server ${HTTP_PORT} --bind 0.0.0.0 --directory /srv/rb/www\n[Install]\nWantedBy=multi-user.target\n`;

async function fetchRetry(url: string, ms = 10_000): Promise<Response> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(2000) });
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

test.serial('systemdUnit: written, enabled, started; content change restarts; restarted always changes', async (t) => {
  await ssh('mkdir -p /srv/rb/www && echo hello-from-unit > /srv/rb/www/index.html');
  const name = 'rb-http.service';
  const first = await twice(t, systemdUnit({ name, content: unit(''), enabled: true, state: 'started' }));
  t.true(first.changes!.includes('daemon-reload'), first.changes!.join('; '));
  t.is(await ssh(`systemctl is-active ${name}; systemctl is-enabled ${name}`), 'active\nenabled');
  t.is(await ssh(`stat -c %a:%U:%G /etc/systemd/system/${name}`), '644:root:root');
  const res = await fetchRetry(`http://${host.address}:${HTTP_PORT}/`);
  t.is(res.status, 200);
  t.is((await res.text()).trim(), 'hello-from-unit');

  const pid1 = await ssh(`systemctl show -p MainPID --value ${name}`);
  t.not(pid1, '0');
  const changedUnit = await twice(t, systemdUnit({ name, content: unit('Environment=RB=2\n'), enabled: true, state: 'started' }));
  t.true(changedUnit.changes!.includes('daemon-reload'), changedUnit.changes!.join('; '));
  t.true(changedUnit.changes!.some((c) => /^restart /.test(c)), changedUnit.changes!.join('; '));
  const pid2 = await ssh(`systemctl show -p MainPID --value ${name}`);
  t.not(pid2, '0');
  t.not(pid2, pid1, 'the unit was restarted');
  t.is(await ssh(`systemctl show -p NeedDaemonReload --value ${name}`), 'no');
  t.is(await ssh(`systemctl show -p Environment --value ${name}`), 'RB=2');
  t.is((await (await fetchRetry(`http://${host.address}:${HTTP_PORT}/`)).text()).trim(), 'hello-from-unit');

  // an action: changes every time
  for (const i of [1, 2]) {
    const r = await run(systemdUnit({ name, state: 'restarted' }));
    changed(t, r, `restart ${i}:`);
  }
  const pid3 = await ssh(`systemctl show -p MainPID --value ${name}`);
  t.not(pid3, pid2);

  // a unit file edited behind systemd's back: NeedDaemonReload=yes → reload without a write
  await ssh(`printf '# touched\\n' >> /etc/systemd/system/${name}`);
  t.is(await ssh(`systemctl show -p NeedDaemonReload --value ${name}`), 'yes');
  const back = await twice(t, systemdUnit({ name, content: unit('Environment=RB=2\n'), enabled: true, state: 'started' }));
  t.true(back.changes!.includes('daemon-reload'), back.changes!.join('; '));
  t.is(await ssh(`systemctl show -p NeedDaemonReload --value ${name}`), 'no');

  // reloaded: a reload when active (ExecReload), a start when not
  await twice(t, systemdUnit({ name, content: unit('Environment=RB=2\nExecReload=/bin/true\n'), enabled: true, state: 'started' }));
  const pid4 = await ssh(`systemctl show -p MainPID --value ${name}`);
  const rl = await run(systemdUnit({ name, state: 'reloaded' }));
  changed(t, rl, 'reloaded:');
  t.deepEqual(rl.changes, [`reload ${name}`]);
  t.is(await ssh(`systemctl show -p MainPID --value ${name}`), pid4, 'a reload keeps the process');

  // stopped + disabled
  await twice(t, systemdUnit({ name, enabled: false, state: 'stopped' }));
  t.is(await ssh(`systemctl is-active ${name} || :; systemctl is-enabled ${name} || :`), 'inactive\ndisabled');
  await t.throwsAsync(fetch(`http://${host.address}:${HTTP_PORT}/`, { signal: AbortSignal.timeout(2000) }));
  const st = await run(systemdUnit({ name, state: 'reloaded' }));
  changed(t, st, 'reloaded when stopped:');
  t.deepEqual(st.changes, [`start ${name}`]);
  t.is(await ssh(`systemctl is-active ${name}`), 'active');
  await twice(t, systemdUnit({ name, state: 'stopped' }));
});

test.serial('become: a task as another user (becomeUser), and without sudo (become: false)', async (t) => {
  await twice(t, file({ path: '/var/lib/rbsvc/state.txt', content: 'mine\n', becomeUser: 'rbsvc' }));
  t.is(await ssh('stat -c %a:%U:%G /var/lib/rbsvc/state.txt'), '644:rbsvc:rbsvc');
  await twice(t, command({ run: 'id -un > /var/lib/rbsvc/who', creates: '/var/lib/rbsvc/who', becomeUser: 'rbsvc' }));
  t.is(await ssh('cat /var/lib/rbsvc/who'), 'rbsvc');
  await twice(t, directory({ path: '/home/deploy/rb', mode: '0700', become: false }));
  await twice(t, file({ path: '/home/deploy/rb/plain.txt', content: 'plain\n', become: false }));
  t.is(await ssh('stat -c %a:%U:%G /home/deploy/rb /home/deploy/rb/plain.txt'), '700:deploy:deploy\n644:deploy:deploy');
  const denied = await run(file({ path: '/etc/rb-denied', content: 'x\n', become: false }));
  t.is(denied.status, 'failed');
  t.is(await ssh('test -e /etc/rb-denied || echo absent'), 'absent');
});

test.serial('command: creates, removes, unless, onlyIf with cwd and env', async (t) => {
  await twice(t, command({ run: 'echo made > /srv/rb/marker', creates: '/srv/rb/marker' }));
  t.is(await ssh('cat /srv/rb/marker'), 'made');
  await twice(t, command({ run: ['rm', '-f', '/srv/rb/marker'], removes: '/srv/rb/marker' }));
  t.is(await ssh('test -e /srv/rb/marker || echo gone'), 'gone');
  await twice(t, command({ run: 'printf "%s" "$RB_V" > out.txt', cwd: '/srv/rb', env: { RB_V: "it's v" }, unless: 'grep -q "^$RB_V$" out.txt' }));
  t.is(await ssh('cat /srv/rb/out.txt'), "it's v");
  await twice(t, command({ run: 'rm out.txt', cwd: '/srv/rb', onlyIf: 'test -f out.txt' }));
  t.is(await ssh('test -e /srv/rb/out.txt || echo gone'), 'gone');
  const a1 = await run(command({ run: 'true', always: true }));
  const a2 = await run(command({ run: 'true', always: true }));
  changed(t, a1);
  changed(t, a2);
  const bad = await run(command({ run: 'echo oops >&2; exit 3', always: true }));
  t.is(bad.status, 'failed');
  t.regex(bad.error!.message, /oops/);
});

test.serial('git: clone from a bare repo on the host, follow a branch, owner', async (t) => {
  await twice(t, apt({ packages: 'git' }), 'apt git');
  const commit = (msg: string) =>
    ssh(`set -e; w=/srv/rb/work; [ -d $w ] || { git init -q $w; git -C $w remote add origin /srv/rb/repo.git; }
      echo ${msg} > $w/README; git -C $w add README; git -C $w -c user.email=it@rb -c user.name=it commit -q -m ${msg}
      git -C $w push -q origin HEAD:refs/heads/main; git -C $w rev-parse HEAD`);
  await ssh('git init -q --bare /srv/rb/repo.git');
  const c1 = await commit('one');
  const g = git({ repo: 'file:///srv/rb/repo.git', dest: '/srv/rb/src', ref: 'main', depth: 1, owner: 'rbsvc' });
  await twice(t, g);
  t.is(await ssh('git -c safe.directory=* -C /srv/rb/src rev-parse HEAD'), c1);
  t.is(await ssh('cat /srv/rb/src/README; stat -c %U /srv/rb/src /srv/rb/src/README /srv/rb/src/.git/HEAD'), 'one\nrbsvc\nrbsvc\nrbsvc');
  const c2 = await commit('two');
  const r = await twice(t, g);
  t.deepEqual(r.changes, [`checkout main (${c2.slice(0, 10)}), was ${c1.slice(0, 10)}`]);
  t.is(await ssh('git -c safe.directory=* -C /srv/rb/src rev-parse HEAD; cat /srv/rb/src/README'), `${c2}\ntwo`);
  // an annotated tag resolves to the commit it points at
  await ssh('git -C /srv/rb/work -c user.email=it@rb -c user.name=it tag -a v1 -m v1 HEAD~1 && git -C /srv/rb/work push -q origin v1');
  const tag = await twice(t, git({ repo: 'file:///srv/rb/repo.git', dest: '/srv/rb/src', ref: 'v1', owner: 'rbsvc' }));
  t.deepEqual(tag.changes, [`checkout v1 (${c1.slice(0, 10)}), was ${c2.slice(0, 10)}`]);
  t.is(await ssh('cat /srv/rb/src/README'), 'one');
  await twice(t, g);
  // a commit pinned in full
  await twice(t, git({ repo: 'file:///srv/rb/repo.git', dest: '/srv/rb/src', ref: c1, owner: 'rbsvc' }));
  t.is(await ssh('cat /srv/rb/src/README'), 'one');
});

test.serial('download: from the control machine, sha256 pinned; a mismatch replaces nothing', async (t) => {
  const files: Record<string, Buffer> = { '/tool-v1': Buffer.from('#!/bin/sh\necho tool v1\n'), '/tool-v2': Buffer.from('#!/bin/sh\necho tool v2\n') };
  const server: Server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, BRIDGE, resolve));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  const url = (p: string) => `http://${BRIDGE}:${port}${p}`;
  const dest = '/usr/local/bin/rbtool';

  await twice(t, download({ url: url('/tool-v1'), dest, sha256: sha(files['/tool-v1']), mode: '0755', owner: 'rbsvc' }));
  t.is(await ssh(`${dest}; stat -c %a:%U:%G ${dest}`), 'tool v1\n755:rbsvc:root');

  // serves v2 where v1's successor was expected: fails, old file stays, no temp file left
  const bad = await run(download({ url: url('/tool-v2'), dest, sha256: sha('something else'), mode: '0755' }));
  t.is(bad.status, 'failed');
  t.true(bad.execs <= 2);
  t.regex(bad.error!.message, new RegExp(`sha256 mismatch.*expected ${sha('something else')}, got ${sha(files['/tool-v2'])}`, 's'));
  t.is(await ssh(`${dest}; stat -c %a:%U ${dest}`), 'tool v1\n755:rbsvc');
  t.is(await ssh('ls -A /usr/local/bin | grep -c "^\\.rb\\." || :'), '0');

  await twice(t, download({ url: url('/tool-v2'), dest, sha256: sha(files['/tool-v2']) }));
  t.is(await ssh(`${dest}; stat -c %a:%U ${dest}`), 'tool v2\n755:rbsvc', 'mode and owner kept when unset');
});
