/**
 * Host selection end to end, as a team keeps its hosts: ONE ssh config (a `Host *` block, a block per
 * env, an old alias whose key is gone) and an inventory per env that lists only its own host. A run of
 * one env must never reach another env's host, and no key of an unselected alias may stop it.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quote } from '@runbook/core';
import { checkoutSet, type HostSet, up } from '@runbook/testhosts';
import { runCli as run, sshRoot, type Run } from './helpers/stack.js';

const stamp = join(import.meta.dirname, 'fixtures/env-stamp.ts');
const envs = ['dev', 'stg', 'prod'] as const;

let hosts: HostSet;
let project: string;
let sshConfig: string;
/** env → the test host its alias points at */
const hostOf: Record<string, { name: string; address: string }> = {};
/** the lines of the ssh config that name the keys nobody has */
const lines = { oldBoxKey: 0, laptopKey: 0 };

test.before(async () => {
  hosts = await up({ set: checkoutSet('itsel'), count: 3 });
  envs.forEach((env, i) => (hostOf[env] = hosts.hosts[i]));
  project = mkdtempSync(join(tmpdir(), 'rb-hsel-'));
  const keys = join(project, 'keys'); // stays empty: the keys named here are on someone else's laptop
  const text = [
    '# the team\'s ~/.ssh/config: every env in one file',
    ...envs.flatMap((env) => [`Host app-${env}`, `  HostName ${hostOf[env].address}`]),
    'Host old-box',
    '  HostName 10.77.0.254',
    `  IdentityFile ${keys}/old-box.pem`,
    'Host * !old-box',
    `  IdentityFile ${hosts.keyFile}`,
    'Host *',
    '  User deploy',
    `  IdentityFile ${keys}/laptop-only.pem`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${hosts.knownHostsFile}`,
    '  StrictHostKeyChecking yes',
    '',
  ];
  lines.oldBoxKey = text.indexOf(`  IdentityFile ${keys}/old-box.pem`) + 1;
  lines.laptopKey = text.indexOf(`  IdentityFile ${keys}/laptop-only.pem`) + 1;
  mkdirSync(join(project, 'ssh'));
  sshConfig = join(project, 'ssh/config');
  writeFileSync(sshConfig, text.join('\n'));
  // the playbook reads no secret: the envs say they have no secrets file
  writeFileSync(join(project, '.runbookrc.json'), JSON.stringify({ secrets: false }));
  mkdirSync(join(project, 'inventories'));
  for (const env of envs) writeFileSync(join(project, `inventories/${env}.yml`), `sshConfig: ../ssh/config\nhosts:\n  app-${env}: {}\n`);
});
test.after.always(async () => {
  await hosts?.down();
});

/**
 * The ssh connections sshd logged on a host since a cursor, leaving out our own root sessions (these
 * checks'): lines that name a client port other than a root session's, or the deploy user.
 */
async function connectionsSince(host: string, cursor: string): Promise<string[]> {
  const r = await sshRoot(hosts, host, `journalctl -u ssh --no-pager -o cat; echo ---; journalctl -u ssh --no-pager -o cat --after-cursor=${quote(cursor)}`);
  const [all, since] = r.stdout.split('\n---\n').map((part) => part.split('\n').filter(Boolean));
  const rootPorts = new Set(all.flatMap((l) => /Accepted \S+ for root from \S+ port (\d+)/.exec(l)?.[1] ?? []));
  return since.filter((l) => /\bdeploy\b/.test(l) || [...l.matchAll(/port (\d+)/g)].some((m) => !rootPorts.has(m[1])));
}

const cursorOf = async (host: string) =>
  /-- cursor: (\S+)/.exec((await sshRoot(hosts, host, 'journalctl -u ssh -n 0 --show-cursor --no-pager')).stdout)![1];

const laptopWarning = (alias: string) =>
  new RegExp(`${sshConfig}:${lines.laptopKey}: IdentityFile: identity file not found: ${project}/keys/laptop-only\\.pem, for ${alias};`);

test.serial('each env lists only its own host, and the missing key of an unused alias fails none', async (t) => {
  for (const env of envs) {
    const r = await run(project, ['hosts', '--env', env, '--json']);
    t.is(r.code, 0, r.stderr);
    const listed = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    t.deepEqual(listed.map((h) => [h.alias, h.hostname, h.user]), [[`app-${env}`, hostOf[env].address, 'deploy']], env);
    t.notRegex(r.stderr, /old-box/);
  }
});

test.serial('a prod run changes the prod host and never connects to the dev host', async (t) => {
  const before = await cursorOf(hostOf.dev.name);
  const r = await run(project, [stamp, '--env', 'prod', '--json']);
  t.is(r.code, 0, r.stderr + r.stdout);
  t.deepEqual(Object.keys(JSON.parse(r.stdout.trim().split('\n').pop()!).hosts), ['app-prod']);
  // ssh warns about a missing IdentityFile next to one that works; so does the run, naming file, line and host
  t.regex(r.stderr, laptopWarning('app-prod'));
  t.notRegex(r.stderr, /old-box|app-dev|app-stg/);
  t.is((await sshRoot(hosts, hostOf.prod.name, 'cat /srv/stamp/env')).stdout, 'prod app-prod\n');
  t.is((await sshRoot(hosts, hostOf.dev.name, 'test -e /srv/stamp || echo none')).stdout, 'none\n');
  t.deepEqual(await connectionsSince(hostOf.dev.name, before), [], 'no connection from the prod run in the dev host\'s sshd journal');

  // the same look at the journal does see a run that does connect: dev's own
  const dev = await run(project, [stamp, '--env', 'dev']);
  t.is(dev.code, 0, dev.stderr + dev.stdout);
  t.regex(dev.stderr, laptopWarning('app-dev'));
  t.true((await connectionsSince(hostOf.dev.name, before)).some((l) => /Accepted publickey for deploy/.test(l)), 'the dev run shows up in its journal');
  const stg = await run(project, [stamp, '--env', 'stg']);
  t.is(stg.code, 0, stg.stderr + stg.stdout);
  t.is((await sshRoot(hosts, hostOf.stg.name, 'cat /srv/stamp/env')).stdout, 'stg app-stg\n');
});

test.serial('an alias whose keys are all missing fails only the runs that select it, naming it, the file and the line', async (t) => {
  writeFileSync(join(project, 'inventories/team.yml'), 'sshConfig: ../ssh/config\nsshConfigHosts: all\n');
  const listed = await run(project, ['hosts', '--env', 'team']);
  t.is(listed.code, 0, listed.stderr);
  t.deepEqual(listed.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['app-dev', 'app-stg', 'app-prod', 'old-box']);
  const noKey = `${sshConfig}:${lines.oldBoxKey}: IdentityFile: no identity file found for old-box: ${project}/keys/old-box.pem, ${project}/keys/laptop-only.pem`;
  t.true(listed.stderr.includes(`run: warning: ${noKey}`), listed.stderr);

  const all = await run(project, [stamp, '--env', 'team']);
  t.is(all.code, 4, all.stderr + all.stdout);
  t.true(all.stderr.includes(`run: error: ${noKey}`), all.stderr);
  t.is(all.stdout, '', 'nothing ran');

  const limited = await run(project, [stamp, '--env', 'team', '--limit', 'app-prod', '--json']);
  t.is(limited.code, 0, limited.stderr + limited.stdout);
  t.deepEqual(Object.keys(JSON.parse(limited.stdout.trim().split('\n').pop()!).hosts), ['app-prod']);
  t.notRegex(limited.stderr, /old-box/);
});

test.serial('an empty --limit is an error naming the flag, never every host', async (t) => {
  const cursors = await Promise.all(envs.map((env) => cursorOf(hostOf[env].name)));
  for (const limit of ['', '  ']) {
    const r: Run = await run(project, [stamp, '--env', 'prod', '--limit', limit]);
    t.is(r.code, 4, r.stderr + r.stdout);
    t.regex(r.stderr, /--limit is empty/);
  }
  for (const [i, env] of envs.entries()) t.deepEqual(await connectionsSince(hostOf[env].name, cursors[i]), [], `${env}: nobody connected`);
});

test.serial('a stale key in ~/.ssh/known_hosts for a reused address: read by default, replaced by UserKnownHostsFile (as in ssh)', async (t) => {
  // a throwaway host's usual ssh config: no known_hosts, no questions; the user's own file still holds
  // the key of the machine that had this address before (here: the stg host's key under dev's address)
  const home = mkdtempSync(join(tmpdir(), 'rb-hsel-home-'));
  mkdirSync(join(home, '.ssh'));
  const stgKey = readFileSync(hosts.knownHostsFile, 'utf8').match(new RegExp(`^${hostOf.stg.name},\\S+ (ssh-ed25519 \\S+)$`, 'm'))![1];
  writeFileSync(join(home, '.ssh/known_hosts'), `${hostOf.dev.address} ${stgKey}\n`);
  const block = (knownHosts: string[]) => [`Host app-dev`, `  HostName ${hostOf.dev.address}`, '  User deploy', `  IdentityFile ${hosts.keyFile}`, ...knownHosts, '  StrictHostKeyChecking no', ''].join('\n');
  for (const [name, lines] of [['throwaway', ['  UserKnownHostsFile /dev/null']], ['homefile', []]] as const) {
    writeFileSync(join(project, `ssh/${name}`), block([...lines]));
    writeFileSync(join(project, `inventories/${name}.yml`), `sshConfig: ../ssh/${name}\nhosts:\n  app-dev: {}\n`);
  }
  const throwaway = await run(project, [stamp, '--env', 'throwaway'], { HOME: home });
  t.is(throwaway.code, 0, throwaway.stderr + throwaway.stdout);
  // without UserKnownHostsFile the user's file is read, and a changed key is refused whatever the policy
  const homefile = await run(project, [stamp, '--env', 'homefile'], { HOME: home });
  t.is(homefile.code, 3, homefile.stderr + homefile.stdout);
  t.true((homefile.stderr + homefile.stdout).includes(`HOST KEY CHANGED for ${hostOf.dev.address}`), homefile.stderr + homefile.stdout);
  t.true((homefile.stderr + homefile.stdout).includes(`${home}/.ssh/known_hosts:1`), homefile.stderr + homefile.stdout);
});
