/**
 * --check you can trust on a real test host: `run configure --check` of the Django stack on a fresh host
 * predicts every change (the nginx unit its package will bring included) and changes nothing; the real
 * run then writes the gunicorn option the config's env overlay gives (`envs.stg.options`); `run deploy
 * --check` predicts the deploy and changes nothing. Then host keys: a changed key is refused under every
 * --host-key / StrictHostKeyChecking setting, and `no` only lets an unknown key through.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkoutSet, type HostSet, up } from '@runbook/testhosts';
import { demoDjangoApp, recap, sshRoot, stackProject, type Run } from './helpers/stack.js';

let hosts: HostSet;
let project: ReturnType<typeof stackProject>;
let name: string;

test.before(async () => {
  hosts = await up({ set: checkoutSet('itcheck'), count: 1 });
  name = hosts.hosts[0].name;
  project = stackProject(checkoutSet('itcheck'), `
import { app } from '@runbook/app';
import { basicAuth } from '@runbook/basic-auth';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
export default defineConfig({
  plugins: [
    ${demoDjangoApp},
    gunicorn(),
    nginx(),
    basicAuth({ envs: ['stg'] }),
  ],
  // one plugin's option for one env, without repeating the plugin list
  envs: { stg: { options: { gunicorn: { workers: 3 } } } },
});
`, 'SECRET_KEY=stg-key-0123456789\nAUTH_WALL_USERNAME=wall-user\nAUTH_WALL_PASSWORD=wall-password-1\n');
});
test.after.always(async () => {
  await hosts?.down();
});

const ssh = (command: string) => sshRoot(hosts, name, command);
/** The task events of a --json run. */
const events = (r: Run) => r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'task');
const find = (r: Run, title: string) => events(r).find((e) => e.title === title);
/** What a user would look at to see whether a run changed the host. */
const hostState = () => ssh([
  'dpkg-query -W -f=\'${db:Status-Abbrev}\' nginx gunicorn 2>&1 || true',
  'getent passwd demo || echo no-user',
  'ls -A /srv/demo /srv/demo/releases 2>&1 || true',
  'readlink /srv/demo/current || echo no-current',
  'ls /etc/systemd/system/gunicorn.* 2>&1 || true',
].join('; echo --; ')).then((r) => r.stdout);

test.serial('configure --check on a fresh host: exit 2, every change predicted (the unit nginx will bring too), nothing changed', async (t) => {
  const before = await hostState();
  t.regex(before, /no-user/, 'the host is fresh');
  const r = await project.run(['configure', '--env', 'stg', '--check', '--json']);
  t.is(r.code, 2, r.stdout.slice(-3000) + r.stderr);
  const host = recap(r)[name];
  t.is(host.failed, 0);
  t.true(host.changed >= 20, `${host.changed} changes predicted`);
  // (an apt cache update comes first when the host's lists are older than an hour)
  t.deepEqual(find(r, 'nginx')?.changes?.filter((c: string) => !c.startsWith('update apt cache')), ['install nginx']);
  const unit = find(r, 'nginx.service');
  t.is(unit?.status, 'changed');
  t.deepEqual(unit?.changes, ['enable nginx.service', 'start nginx.service', 'nginx.service is not on the host yet: expected from an earlier change']);
  t.is(find(r, 'remove the default site from /etc/nginx/sites-enabled')?.status, 'changed', 'the package brings the default site: predicted');
  t.is(await hostState(), before, 'nothing changed on the host');
  t.regex(before, /nginx.*no packages found|no packages found.*nginx/s);
});

test.serial('configure, then configure --check: exit 0 and nothing predicted', async (t) => {
  const real = await project.run(['configure', '--env', 'stg']);
  t.is(real.code, 0, real.stdout.slice(-3000) + real.stderr);
  const r = await project.run(['configure', '--env', 'stg', '--check', '--json']);
  t.is(r.code, 0, r.stdout.slice(-3000));
  t.is(recap(r)[name].changed, 0);
  // the env overlay's gunicorn option reached the host's gunicorn config (not the default cpu_count() * 2 + 1)
  t.regex((await ssh('cat /etc/gunicorn/gunicorn.conf.py')).stdout, /^workers = 3$/m);
});

test.serial('deploy --check on a configured host: exit 2, the switch predicted, nothing changed', async (t) => {
  const before = await hostState();
  const r = await project.run(['deploy', '--env', 'stg', '--check', '--json']);
  t.is(r.code, 2, r.stdout.slice(-3000) + r.stderr);
  t.is(recap(r)[name].failed, 0);
  const sw = events(r).find((e) => e.task === 'app.current');
  t.is(sw?.status, 'changed');
  t.regex(sw?.changes?.[0] ?? '', /^switch current: \(none\) → \/srv\/demo\/releases\/\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  t.is(await hostState(), before, 'no release, no current, no lock');
  t.false((await ssh('test -e /srv/demo/.deploy-lock && echo locked')).stdout.includes('locked'));
});

test.serial('deploy --check after a deploy: exit 2, the host still serves the same release, and a real deploy goes on', async (t) => {
  const first = await project.run(['deploy', '--env', 'stg']);
  t.is(first.code, 0, first.stdout.slice(-3000) + first.stderr);
  const before = await hostState();
  await new Promise((r) => setTimeout(r, 1100)); // release ids sort by the second
  const r = await project.run(['deploy', '--env', 'stg', '--check']);
  t.is(r.code, 2, r.stdout.slice(-3000) + r.stderr);
  t.regex(r.stdout, /app\.current .*switch current: \/srv\/demo\/releases\/\S+ → \/srv\/demo\/releases\//);
  t.is(await hostState(), before, 'same releases, same current, no lock');
  const again = await project.run(['deploy', '--env', 'stg']);
  t.is(again.code, 0, 'no lock or half release left behind: ' + again.stdout.slice(-2000));
});

/** An env `keys` of the same host whose known_hosts holds `knownHosts`, with StrictHostKeyChecking `strict`. */
function keysEnv(knownHosts: string, strict: string) {
  const dir = join(project.dir, 'inventories');
  const known = join(project.dir, 'keys_known_hosts');
  writeFileSync(known, knownHosts);
  const cfg = readFileSync(join(dir, 'stg.ssh_config'), 'utf8')
    .replace(/^\s*UserKnownHostsFile.*$/m, `  UserKnownHostsFile ${known}`)
    .replace(/^\s*StrictHostKeyChecking.*$/m, `  StrictHostKeyChecking ${strict}`);
  writeFileSync(join(dir, 'keys.ssh_config'), cfg);
  writeFileSync(join(dir, 'keys.yml'), `sshConfig: ./keys.ssh_config\nhosts:\n  ${name}: {}\n`);
  writeFileSync(join(project.dir, 'secrets/keys.env'), readFileSync(join(project.dir, 'secrets/stg.env')));
}

const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
// 'connects': the run reaches the host (env `keys` has no wall: configure --check finds the nginx site to change)
const keyCases: { title: string; known: 'changed' | 'unknown'; strict: string; flag?: string; code: 3 | 'connects'; output?: RegExp }[] = [
  { title: 'changed key, StrictHostKeyChecking yes', known: 'changed', strict: 'yes', code: 3, output: /HOST KEY CHANGED/ },
  { title: 'changed key, StrictHostKeyChecking no', known: 'changed', strict: 'no', code: 3, output: /HOST KEY CHANGED.*every --host-key setting/ },
  { title: 'changed key, --host-key no', known: 'changed', strict: 'yes', flag: 'no', code: 3, output: /HOST KEY CHANGED/ },
  { title: 'changed key, --host-key accept-new', known: 'changed', strict: 'yes', flag: 'accept-new', code: 3, output: /HOST KEY CHANGED/ },
  { title: 'unknown key, StrictHostKeyChecking no: connects, records nothing', known: 'unknown', strict: 'no', code: 'connects' },
  { title: 'unknown key, --host-key no: connects, records nothing', known: 'unknown', strict: 'yes', flag: 'no', code: 'connects' },
  { title: 'unknown key, --host-key yes over StrictHostKeyChecking no: refused', known: 'unknown', strict: 'no', flag: 'yes', code: 3, output: /not known/ },
];
for (const c of keyCases) {
  test.serial(`host keys: ${c.title}`, async (t) => {
    const address = hosts.hosts[0].address;
    keysEnv(c.known === 'changed' ? `${name},${address} ${otherKey}\n` : '', c.strict);
    // a HOME of its own: no ~/.ssh/known_hosts of this machine takes part
    const home = mkdtempSync(join(tmpdir(), 'rb-hchk-home-'));
    const r = await project.run(['configure', '--env', 'keys', '--check', '--json', ...(c.flag ? ['--host-key', c.flag] : [])], { HOME: home });
    if (c.code === 3) {
      t.is(r.code, 3, r.stdout + r.stderr);
      t.true(recap(r)[name].unreachable);
    } else {
      t.is(recap(r)[name].unreachable, false, r.stdout + r.stderr);
      t.is(recap(r)[name].failed, 0);
    }
    if (c.output) t.regex(r.stdout, c.output);
    t.false(existsSync(join(project.dir, '.runbook/known_hosts')), 'no key recorded');
  });
}
