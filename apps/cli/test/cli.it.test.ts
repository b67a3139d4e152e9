/**
 * End to end: the `run` binary against three real test hosts (systemd, sshd), as a user would run it.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkoutSet, type HostSet, up, writeInventory } from '@runbook/testhosts';
import { repo, runCli as run, sshRoot as ssh, type Run } from './helpers/stack.js';

const example = join(repo, 'playbooks/example.ts');
const fixtures = join(import.meta.dirname, 'fixtures');

const recapOf = (r: Run) => {
  const last = r.stdout.trim().split('\n').pop()!;
  const recap = JSON.parse(last);
  if (recap.type !== 'recap') throw new Error(`last line is not the recap: ${last}`);
  return recap.hosts as Record<string, { ok: number; changed: number; failed: number; unreachable: boolean; execs: number }>;
};

let hosts: HostSet;
let project: string;
let names: string[];

test.before(async () => {
  hosts = await up({ set: checkoutSet('itcli'), count: 3 });
  names = hosts.hosts.map((h) => h.name);
  project = mkdtempSync(join(tmpdir(), 'rb-cli-'));
  writeInventory(checkoutSet('itcli'), join(project, 'inventories/local.yml'), { user: 'deploy' });
  // the playbooks here read no secrets file; the config says so (a missing file is otherwise exit 4)
  writeFileSync(join(project, '.runbookrc.json'), JSON.stringify({ secrets: false }));
});
test.after.always(async () => {
  await hosts?.down();
});

test.serial('example playbook converges on 3 hosts, the second run changes nothing, the page is served', async (t) => {
  const first = await run(project, [example, '--env', 'local', '--json']);
  t.is(first.code, 0, first.stderr + first.stdout);
  const r1 = recapOf(first);
  for (const name of names) t.true(r1[name].changed > 0, `${name} changed on the first run`);

  const second = await run(project, [example, '--env', 'local', '--json', '--stats']);
  t.is(second.code, 0, second.stderr);
  const r2 = recapOf(second);
  const tasks = second.stdout.trim().split('\n').filter((l) => JSON.parse(l).type === 'task' && JSON.parse(l).host === names[0]).length;
  for (const name of names) {
    t.is(r2[name].changed, 0, `${name}: second run reports 0 changed`);
    t.is(r2[name].failed, 0);
    t.true(r2[name].execs <= tasks, `${name}: at most one exec per task on a no-op run (${r2[name].execs} execs, ${tasks} tasks)`);
  }
  for (const h of hosts.hosts) {
    const page = await fetch(`http://${h.address}:8080/`).then((r) => r.text());
    t.regex(page, new RegExp(`Hello from ${h.name}`));
  }
});

test.serial('--check after a manual change on one host exits 2, shows the diff and changes nothing', async (t) => {
  await ssh(hosts, names[1], 'echo tampered > /srv/demo/www/index.html');
  const r = await run(project, [example, '--env', 'local', '--check', '--diff']);
  t.is(r.code, 2, r.stderr + r.stdout);
  t.regex(r.stdout, /-tampered/);
  t.regex(r.stdout, new RegExp(`\\+<h1>Hello from ${names[1]}</h1>`));
  t.regex(r.stdout, new RegExp(`${names[1]}\\s+ok=\\d+\\s+changed=1`));
  t.regex(r.stdout, new RegExp(`${names[0]}\\s+ok=\\d+\\s+changed=0`));
  const still = await ssh(hosts, names[1], 'cat /srv/demo/www/index.html');
  t.is(still.stdout, 'tampered\n', 'check mode changed nothing');
  const fix = await run(project, [example, '--env', 'local', '--limit', names[1]]);
  t.is(fix.code, 0, fix.stderr);
});

test.serial('an unreachable host is reported as such while the others finish (exit 3)', async (t) => {
  const dir = join(project, 'inventories');
  writeFileSync(join(dir, 'broken.yml'), [
    'sshConfig: ./local.ssh_config',
    'hosts:',
    `  ${names[0]}: {}`,
    `  ${names[2]}: {}`,
    `  nothing-here: { hostname: ${hosts.hosts[0].address}, port: 2222, user: deploy }`,
    '',
  ].join('\n'));
  const r = await run(project, [example, '--env', 'broken', '--json']);
  t.is(r.code, 3, r.stderr);
  const recap = recapOf(r);
  t.true(recap['nothing-here'].unreachable);
  t.is(recap[names[0]].failed, 0);
  t.true(recap[names[0]].ok > 0);
  t.regex(r.stdout, /"status":"unreachable".*2222/);
});

test.serial('a malformed inventory exits 4 before any connection, naming file, line and key', async (t) => {
  const dir = join(project, 'inventories');
  writeFileSync(join(dir, 'typo.yml'), ['hosts:', '  web1:', '    hostname: 10.77.0.250', '    prot: 22', ''].join('\n'));
  const started = Date.now();
  const r = await run(project, [example, '--env', 'typo']);
  t.is(r.code, 4);
  t.regex(r.stderr, /typo\.yml:4/);
  t.regex(r.stderr, /prot/);
  t.true(Date.now() - started < 10_000);
  const unknown = await run(project, [example, '--env', 'nope']);
  t.is(unknown.code, 4);
  t.regex(unknown.stderr, /unknown env "nope".*local/);
});

test.serial('a bad task option exits 4 and nobody logs in to any host, though the run connects early', async (t) => {
  const logins = async () => Promise.all(names.map(async (h) =>
    Number((await ssh(hosts, h, "journalctl -u ssh --no-pager -o cat | grep -c 'Accepted publickey for deploy' || true")).stdout.trim())));
  const before = await logins();
  const r = await run(project, [join(fixtures, 'bad-option.ts'), '--env', 'local']);
  t.is(r.code, 4, r.stderr + r.stdout);
  t.regex(r.stderr, /path.*absolute|absolute.*path/i);
  t.deepEqual(await logins(), before, 'no deploy login during the failed run');
  const ok = await run(project, [join(fixtures, 'bad-option.ts'), '--env', 'local', '--limit', names[0]]);
  t.is(ok.code, 0, ok.stderr + ok.stdout);
  t.deepEqual(await logins(), before.map((n, i) => (i === 0 ? n + 1 : n)), 'one login, on the host that ran');
});

test.serial('become: sudo -n for the deploy login, becomeUser, and become: false', async (t) => {
  const r = await run(project, [join(fixtures, 'who.ts'), '--env', 'local', '--limit', names[0]]);
  t.is(r.code, 0, r.stderr + r.stdout);
  t.is((await ssh(hosts, names[0], 'cat /tmp/rb-who-root')).stdout, 'root\n');
  t.is((await ssh(hosts, names[0], 'cat /tmp/rb-who-nobody')).stdout, 'nobody\n');
  t.is((await ssh(hosts, names[0], 'cat /tmp/rb-who-login')).stdout, 'deploy\n');
});

test.serial('a secret never reaches any output: plain, JSON, diff, errors', async (t) => {
  const sentinel = 'S3ntinel-' + Math.random().toString(36).slice(2);
  const env = { SENTINEL: sentinel };
  const plain = await run(project, [join(fixtures, 'secrets.ts'), '--env', 'local', '--limit', names[0], '--diff', '-v'], env);
  const json = await run(project, [join(fixtures, 'secrets.ts'), '--env', 'local', '--limit', names[0], '--json', '--diff', '--check'], env);
  t.is(plain.code, 1, 'the command with the secret fails');
  t.regex(plain.stdout, /exit 7/);
  for (const out of [plain.stdout, plain.stderr, json.stdout, json.stderr]) t.false(out.includes(sentinel), out);
  t.is((await ssh(hosts, names[0], 'cat /tmp/rb-secret.env')).stdout, `TOKEN=${sentinel}\n`, 'the host got the real value');
});

test.serial('host keys: strict by default, accept-new records, a changed key is a hard error', async (t) => {
  const dir = join(project, 'inventories');
  // an ssh config without the set's known_hosts: the key is unknown
  const cfg = readFileSync(hosts.sshConfigFile, 'utf8').replace(/^\s*UserKnownHostsFile.*$/gim, '  UserKnownHostsFile /dev/null');
  writeFileSync(join(dir, 'fresh.ssh_config'), cfg);
  writeFileSync(join(dir, 'fresh.yml'), `sshConfig: ./fresh.ssh_config\nhosts:\n  ${names[2]}: {}\n`);
  const known = join(project, '.runbook/known_hosts');
  const strict = await run(project, ['hosts', '--env', 'fresh']);
  t.is(strict.code, 0);
  const denied = await run(project, [join(fixtures, 'who.ts'), '--env', 'fresh']);
  t.is(denied.code, 3, denied.stdout + denied.stderr);
  t.regex(denied.stdout, /not known.*accept-new/);
  const accepted = await run(project, [join(fixtures, 'who.ts'), '--env', 'fresh', '--host-key', 'accept-new']);
  t.is(accepted.code, 0, accepted.stdout + accepted.stderr);
  t.true(existsSync(known));
  const again = await run(project, [join(fixtures, 'who.ts'), '--env', 'fresh']);
  t.is(again.code, 0, 'the recorded key is trusted from now on');
  // a different key for the same name
  const line = readFileSync(known, 'utf8').trim().split(' ');
  writeFileSync(known, `${line[0]} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`);
  const changed = await run(project, [join(fixtures, 'who.ts'), '--env', 'fresh', '--host-key', 'accept-new']);
  t.is(changed.code, 3);
  t.regex(changed.stdout, /HOST KEY CHANGED/);
});

test.serial('ProxyJump: a host reachable only through a jump host', async (t) => {
  const dir = join(project, 'inventories');
  mkdirSync(dir, { recursive: true });
  // 127.0.0.1 on the jump host is that host's own sshd; from here it would be this machine (no sshd)
  writeFileSync(join(dir, 'jump.yml'), [
    'sshConfig: ./local.ssh_config',
    'hosts:',
    `  ${names[0]}: {}`,
    `  behind: { hostname: 127.0.0.1, proxyJump: ${names[0]}, user: deploy, identityFile: ${hosts.keyFile} }`,
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'jump.ssh_config'), '');
  const r = await run(project, [join(fixtures, 'who.ts'), '--env', 'jump', '--limit', 'behind', '--host-key', 'accept-new']);
  t.is(r.code, 0, r.stdout + r.stderr);
});
