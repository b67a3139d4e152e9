/**
 * Two code paths of the app plugin against a real disposable Debian 12 host (@runbook/testhosts set
 * `itapp2`), over SshConnection as the non-root `deploy` user, through core's runPlaybook with the
 * configure / deploy playbooks made from the plugin:
 *  - pip with a local package and no index: a tiny `localdep` sdist shipped inside the uploaded code
 *    (`vendor/`), `requirements.txt` naming it, `pipArgs: ['--no-index', '--find-links', 'vendor/',
 *    '--no-build-isolation']`; setuptools and wheel come from Debian (apt through the hosts' proxy).
 *  - git over ssh with agent forwarding: a bare repo owned by a `git` user (git-shell) on the host, whose
 *    authorized_keys holds a key made here and held only by an ssh-agent this test starts; the host
 *    clones from itself (`git@localhost:/srv/git/demo.git`) as root with the forwarded agent. Without the
 *    agent (not forwarded, or none on the control machine) the deploy fails naming the agent.
 * Effects are checked from outside with the system ssh client. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configurePhases, deployPhases, runPlaybook, SshConnection, type Phase, type PlaybookContext, type Plugin, type RunEvent, type RunHost, type SshTarget } from '@runbook/core';
import { checkoutSet, type HostSet, type TestHost, up } from '@runbook/testhosts';
import { app, type AppOptions } from '../src/index.js';

const run$ = promisify(execFile);
const SET = checkoutSet('itappsrc');

let hosts: HostSet;
let host: TestHost;
let scratch: string;
let agent: ChildProcess | undefined;
let agentSock: string;
const callerSock = process.env.SSH_AUTH_SOCK;

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rb-app-src-it-'));
  hosts = await up({ set: SET, count: 1 });
  host = hosts.hosts[0];
});

test.after.always(async () => {
  if (agent?.pid) process.kill(agent.pid, 'SIGTERM');
  if (callerSock === undefined) delete process.env.SSH_AUTH_SOCK;
  else process.env.SSH_AUTH_SOCK = callerSock;
  await hosts?.down();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const runHost = (): RunHost => ({ alias: host.name, hostname: host.name, user: 'deploy', groups: [], vars: {}, env: 'test' });
const connector = (forwardAgent: boolean) => () => {
  const target: SshTarget = {
    alias: host.name, hostname: host.address, port: 22, user: 'deploy', identityFiles: [hosts.keyFile],
    identitiesOnly: true, knownHostsFiles: [hosts.knownHostsFile], strictHostKeyChecking: 'yes', forwardAgent,
  };
  return SshConnection.connect(target, { projectKnownHosts: join(scratch, 'known_hosts') });
};

interface Played {
  exitCode: number;
  changed: string[];
  failed: { task: string; message: string }[];
}

async function play(kind: 'configure' | 'deploy', plugins: Plugin[], opts: { release?: string; forwardAgent?: boolean } = {}): Promise<Played> {
  const events: RunEvent[] = [];
  const phases = (c: PlaybookContext): Promise<Phase[]> => (kind === 'configure' ? configurePhases(c) : deployPhases(c, opts.release));
  const r = await runPlaybook({
    playbook: { name: kind, phases },
    context: {
      env: 'test',
      config: { root: scratch, inventoryDir: scratch, secretsDir: scratch, playbookDir: scratch, knownHosts: join(scratch, 'known_hosts'), vars: {}, plugins },
      secrets: {},
      options: {},
    },
    hosts: [runHost()],
    connect: connector(opts.forwardAgent ?? false),
    emit: (e) => void events.push(e),
  });
  const tasks = events.filter((e): e is Extract<RunEvent, { type: 'task' }> => e.type === 'task');
  return {
    exitCode: r.exitCode,
    changed: tasks.filter((e) => e.status === 'changed').map((e) => e.task),
    failed: tasks.filter((e) => e.status === 'failed').map((e) => ({ task: e.task, message: e.error?.message ?? '' })),
  };
}
const why = (p: Played): string => JSON.stringify(p.failed);

/** A command on the host through the system ssh client, as root; its trimmed stdout. */
async function ssh(cmd: string): Promise<string> {
  const { stdout } = await run$('ssh', ['-F', hosts.sshConfigFile, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', host.name, `sudo -n sh -c ${shq(cmd)}`], { timeout: 60_000 });
  return stdout.trim();
}
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const sh = (script: string, cwd: string): string => execFileSync('sh', ['-c', script], { cwd, encoding: 'utf8' }).trim();

const lean: Partial<AppOptions> = { migrate: false, collectstatic: false, healthCheck: false, sharedDirs: [] };

test.serial('pip: a local package shipped in the code, installed with no index', async (t) => {
  // the app: a git checkout (upload source) with an sdist of `localdep` in vendor/
  const repo = join(scratch, 'pipapp');
  const pkg = join(scratch, 'localdep-1.0');
  mkdirSync(join(pkg, 'localdep'), { recursive: true });
  writeFileSync(join(pkg, 'pyproject.toml'), '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "localdep"\nversion = "1.0"\n');
  writeFileSync(join(pkg, 'PKG-INFO'), 'Metadata-Version: 2.1\nName: localdep\nVersion: 1.0\n');
  writeFileSync(join(pkg, 'localdep', '__init__.py'), 'VALUE = "from-the-local-sdist"\n');
  mkdirSync(join(repo, 'vendor'), { recursive: true });
  sh(`tar -czf ${shq(join(repo, 'vendor', 'localdep-1.0.tar.gz'))} -C ${shq(scratch)} localdep-1.0`, scratch);
  writeFileSync(join(repo, 'requirements.txt'), '# offline: from vendor/ only\nlocaldep==1.0\n');
  writeFileSync(join(repo, 'app.py'), 'import localdep\nprint(localdep.VALUE)\n');
  sh('git init -q -b main && git add -A && git -c user.email=it@rb -c user.name=it commit -q -m pip && git rev-parse HEAD', repo);

  const plugins = [
    app({
      name: 'pipapp', source: { upload: { path: repo } }, ...lean,
      packages: ['python3-venv', 'python3-pip', 'python3-setuptools', 'python3-wheel'],
      pipArgs: ['--no-index', '--find-links', 'vendor/', '--no-build-isolation'],
    }),
  ];
  const c = await play('configure', plugins);
  t.is(c.exitCode, 0, why(c));
  const d1 = await play('deploy', plugins, { release: 'p1' });
  t.is(d1.exitCode, 0, why(d1));
  const rel = '/srv/pipapp/releases/p1';
  t.is(await ssh(`cd ${rel} && sudo -u pipapp ${rel}/.venv/bin/python -c 'import localdep; print(localdep.VALUE)'`), 'from-the-local-sdist');
  t.regex(await ssh(`cd /tmp && ${rel}/.venv/bin/python -c 'import localdep; print(localdep.__file__)'`), new RegExp(`^${rel}/\\.venv/lib/python3[.\\d]*/site-packages/localdep/__init__\\.py$`), 'installed into the release venv, not the system');
  t.is(await ssh(`python3 -c 'import localdep' 2>/dev/null || echo not-system-wide`), 'not-system-wide');
  t.is(await ssh(`cd ${rel} && sudo -u pipapp .venv/bin/python app.py`), 'from-the-local-sdist');
  const installedAt = await ssh(`stat -c %Y ${rel}/.venv/.rb-requirements; ls -d --full-time ${rel}/.venv/lib/python3*/site-packages/localdep*`);

  // the same release again: the install is guarded, nothing but the lock changes
  const again = await play('deploy', plugins, { release: 'p1' });
  t.is(again.exitCode, 0, why(again));
  t.deepEqual(again.changed, ['app.lock', 'app.unlock']);
  t.is(await ssh(`stat -c %Y ${rel}/.venv/.rb-requirements; ls -d --full-time ${rel}/.venv/lib/python3*/site-packages/localdep*`), installedAt);
});

/** Starts an ssh-agent of our own (killed by pid in after.always) holding `key`; its socket. */
async function startAgent(key: string): Promise<string> {
  const sock = join(scratch, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(sock)) throw new Error('ssh-agent did not create its socket');
  execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
  return sock;
}

test.serial('git over ssh: the host clones with the forwarded agent, and not without it', async (t) => {
  // a key made here, never copied to the host: only the agent holds it
  const key = join(scratch, 'git_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'runbook-it-git', '-f', key]);
  const pub = readFileSync(`${key}.pub`, 'utf8').trim();
  agentSock = await startAgent(key);

  const plugins = [app({ name: 'gitapp', source: { git: { repo: 'git@localhost:/srv/git/demo.git', ref: 'main' } }, ...lean })];
  const c = await play('configure', plugins);
  t.is(c.exitCode, 0, why(c));

  // the git server on the host: a `git` user with git-shell, the key in its authorized_keys, a bare repo
  const sha = await ssh(`set -e
    id git >/dev/null 2>&1 || useradd -m -d /home/git -s /usr/bin/git-shell git
    install -d -o git -g git -m 0700 /home/git/.ssh
    printf '%s\\n' ${shq(pub)} > /home/git/.ssh/authorized_keys
    chown git:git /home/git/.ssh/authorized_keys; chmod 0600 /home/git/.ssh/authorized_keys
    install -d -m 0755 /srv/git
    git init -q --bare -b main /srv/git/demo.git
    w=$(mktemp -d); cd $w; git init -q -b main; echo 'print("over ssh")' > app.py
    git add app.py; git -c user.email=it@rb -c user.name=it commit -q -m one
    git push -q /srv/git/demo.git HEAD:refs/heads/main; git rev-parse HEAD; rm -rf $w
    chown -R git:git /srv/git/demo.git`);
  t.regex(sha, /^[0-9a-f]{40}$/);
  t.is(await ssh(`grep -rlsF ${shq(pub.split(' ')[1])} /root /home/deploy /srv/gitapp || echo nowhere-else`), 'nowhere-else', 'the key is only in git’s authorized_keys');

  // no agent on the control machine: fails, naming the agent
  delete process.env.SSH_AUTH_SOCK;
  const none = await play('deploy', plugins, { release: 'g0', forwardAgent: true });
  t.is(none.exitCode, 1);
  t.is(none.failed[0]?.task, 'app.release');
  t.regex(none.failed[0]?.message ?? '', /no ssh agent was forwarded to this host \(SSH_AUTH_SOCK is not set\)/);

  // an agent, but not forwarded: the same
  process.env.SSH_AUTH_SOCK = agentSock;
  const unforwarded = await play('deploy', plugins, { release: 'g0', forwardAgent: false });
  t.is(unforwarded.exitCode, 1);
  t.is(unforwarded.failed[0]?.task, 'app.release');
  t.regex(unforwarded.failed[0]?.message ?? '', /no ssh agent was forwarded/);
  t.is(await ssh('test -e /srv/gitapp/current || test -e /srv/gitapp/.deploy-lock || echo untouched'), 'untouched');

  // forwarded: root's git on the host reaches git@localhost through the agent on this machine
  const ok = await play('deploy', plugins, { release: 'g1', forwardAgent: true });
  t.is(ok.exitCode, 0, why(ok));
  t.is(await ssh('readlink /srv/gitapp/current'), '/srv/gitapp/releases/g1');
  t.is(await ssh('cat /srv/gitapp/current/REVISION'), sha);
  t.is(await ssh('cat /srv/gitapp/current/app.py; stat -c %U /srv/gitapp/current/app.py'), 'print("over ssh")\ngitapp');
  t.like(JSON.parse(await ssh('cat /srv/gitapp/.releases/g1.json')), { id: 'g1', commit: sha, status: 'ok' });

  // the same release again: guarded by its REVISION, no clone (and no agent needed)
  const again = await play('deploy', plugins, { release: 'g1', forwardAgent: false });
  t.is(again.exitCode, 0, why(again));
  t.deepEqual(again.changed, ['app.lock', 'app.unlock']);
});
