/**
 * Interrupted deploys on two real test hosts, through the real `run` binary (DESIGN §9): SIGINT (Ctrl-C)
 * and SIGTERM (a CI cancel) during the build and after the first host of a rolling deploy switched, a
 * reader that goes away (`run deploy | head`) at both moments, and sshd stopped with its sessions killed
 * mid-deploy. Each asserts what every
 * host is left with (the release it serves, no lock, or the lock named) and what the user was told; the
 * next deploy then succeeds with no manual step. Fails, never skips, when the hosts cannot boot.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { checkoutSet, type HostSet, inHost, up } from '@runbook/testhosts';
import { demoDjangoApp, repo, sshRoot, stackProject } from './helpers/stack.js';

let hosts: HostSet;
let project: ReturnType<typeof stackProject>;
const ssh = (i: number, command: string) => sshRoot(hosts, hosts.hosts[i].name, command);
const currentOf = async (i: number) => (await ssh(i, 'readlink /srv/demo/current')).stdout.trim();
const locked = async (i: number) => (await ssh(i, 'test -e /srv/demo/.deploy-lock && echo locked')).stdout.trim() === 'locked';
const both = [0, 1];

interface Live { code: Promise<number | null>; output: () => string; child: ReturnType<typeof spawn> }

/** `run …` in the project, as a process the test can signal; `onLine` sees each line of its stdout. */
function start(args: string[], onLine: (line: string, live: Live) => void = () => {}): Live {
  const child = spawn('node', [join(repo, 'apps/cli/bin/run.js'), ...args], { cwd: project.dir, env: { ...process.env, CI: 'true' } });
  let out = '';
  let buffer = '';
  const live: Live = { child, output: () => out, code: new Promise((res) => child.on('close', (c) => res(c))) };
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    buffer += b.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const l of lines) onLine(l, live);
  });
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return live;
}

test.before(async () => {
  hosts = await up({ set: checkoutSet('itintr'), count: 2 });
  project = stackProject(checkoutSet('itintr'), `
import { app } from '@runbook/app';
import { defineConfig } from '@runbook/core';
import { gunicorn } from '@runbook/gunicorn';
import { nginx } from '@runbook/nginx';
export default defineConfig({
  plugins: [
    ${demoDjangoApp},
    gunicorn(),
    nginx(),
  ],
});
`, 'SECRET_KEY=interrupt-test-secret-key\n');
  const configure = await project.run(['configure', '--env', 'stg']);
  if (configure.code !== 0) throw new Error(configure.stdout + configure.stderr);
  const deploy = await project.run(['deploy', '--env', 'stg']);
  if (deploy.code !== 0) throw new Error(deploy.stdout + deploy.stderr);
});
test.after.always(async () => {
  await hosts?.down();
});

/** After an interruption: every host on `release`, no lock; then a plain deploy works with no manual step. */
async function leftClean(t: import('ava').ExecutionContext, release: string[]) {
  t.deepEqual(await Promise.all(both.map(currentOf)), release, 'every host serves the release it served');
  for (const i of both) t.false(await locked(i), `no lock on host ${i + 1}`);
  const next = await project.run(['deploy', '--env', 'stg']);
  t.is(next.code, 0, next.stdout.slice(-3000) + next.stderr);
  const now = await Promise.all(both.map(currentOf));
  t.is(new Set(now).size, 1, 'the next deploy puts the fleet on one new release');
  t.notDeepEqual(now, release);
}

/** The line after which a fault lands: the code is on the hosts (the build is next), or the first host switched (rolling). */
const moments = {
  build: { args: [] as string[], at: (line: string) => /app\.release/.test(line) },
  switch: { args: ['--serial', '1'], at: (line: string) => /app\.current/.test(line) && /CHANGED/.test(line) },
};
const exits: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  for (const [stage, moment] of Object.entries(moments)) {
    test.serial(`${signal} during the ${stage}: every host back on its release, no lock, exit ${exits[signal]}; the next deploy just works`, async (t) => {
      const before = await Promise.all(both.map(currentOf));
      let sent = false;
      const run = start(['deploy', '--env', 'stg', ...moment.args], (line, live) => {
        if (!sent && moment.at(line)) {
          sent = true;
          live.child.kill(signal);
        }
      });
      t.is(await run.code, exits[signal], run.output());
      t.true(sent);
      t.regex(run.output(), new RegExp(`${signal}: stopping`));
      t.regex(run.output(), stage === 'build'
        ? new RegExp(`RUN STOPPED: interrupted by ${signal} during \\w+: no host switches`)
        : new RegExp(`RUN STOPPED: interrupted by ${signal} during (switch|reload|verify): every host that switched goes back`));
      if (stage === 'switch') t.regex(run.output(), /switch current back/);
      t.regex(run.output(), /release=\d{8}T/, 'the recap says which release each host serves');
      await leftClean(t, before);
    });
  }
}

for (const [stage, moment] of Object.entries(moments)) {
  test.serial(`a reader that goes away (| head) during the ${stage} does not stop the deploy: it finishes on every host`, async (t) => {
    const before = await Promise.all(both.map(currentOf));
    let closed = false;
    const run = start(['deploy', '--env', 'stg', ...moment.args], (line, live) => {
      if (!closed && moment.at(line)) {
        closed = true;
        live.child.stdout!.destroy();
      }
    });
    t.is(await run.code, 0, run.output());
    t.true(closed);
    const after = await Promise.all(both.map(currentOf));
    t.is(new Set(after).size, 1);
    t.notDeepEqual(after, before, 'the deploy went on to the switch');
    for (const i of both) t.false(await locked(i));
  });
}

test.serial('sshd stopped and sessions killed on one host mid-deploy: unreachable (exit 3), the other rolled back, the lock named; run unlock releases it', async (t) => {
  const before = await Promise.all(both.map(currentOf));
  // the second host gets its code slowly (tar, or xargs for the hard-linked copy of a tree it has, waits
  // 15 s), so the cut lands in its prepare stage, with its lock taken, whatever the machine's load
  for (const tool of ['tar', 'xargs']) {
    await ssh(1, `mv /usr/bin/${tool} /usr/bin/${tool}.real && printf '#!/bin/sh\\nsleep 15\\nexec /usr/bin/${tool}.real "$@"\\n' > /usr/bin/${tool} && chmod 755 /usr/bin/${tool}`);
  }
  const run = start(['deploy', '--env', 'stg']);
  // the cut comes once the second host holds its lock (its code then waits 15 s): with no barrier between
  // lock and prepare, the first host's progress says nothing about when the second took its lock
  let cut = false;
  for (let i = 0; i < 240 && !cut; i++) {
    if (await locked(1)) cut = true;
    else await new Promise((r) => setTimeout(r, 250));
  }
  t.true(cut, 'the second host took its lock');
  // sshd stays down until the run has ended (a timer in the host brought it back while a loaded machine's
  // run still made its reconnect tries, which found it)
  await ssh(1, 'systemctl stop ssh.service; pkill -KILL -f "sshd: deploy" || true');
  const code = await run.code;
  const back = await inHost(hosts.hosts[1], 'systemctl start ssh.service');
  t.is(back.code, 0, back.stderr);
  t.is(code, 3, run.output());
  const out = run.output();
  t.notRegex(out, /<<RB|remote shell failed|E_INTERNAL/, 'no internal marker reaches the user');
  t.regex(out, new RegExp(`${hosts.hosts[1].name}.*(lost the connection|UNREACHABLE)`));
  t.regex(out, new RegExp(`a deploy lock may be left: ${hosts.hosts[1].name}\\. Release it with: run unlock --env stg`));
  t.is(await currentOf(0), before[0], 'the reachable host serves its release');
  t.false(await locked(0), 'and holds no lock');
  // sshd is back: the one command that recovers
  const restored = await ssh(1, 'mv /usr/bin/tar.real /usr/bin/tar && mv /usr/bin/xargs.real /usr/bin/xargs');
  t.is(restored.code, 0, restored.stderr);
  const left = await ssh(1, 'ls -la /srv/demo /srv/demo/.deploy-lock; cat /srv/demo/.deploy-lock/info; ps -ef --forest');
  t.true(await locked(1), `the lost host kept its lock; the run said:\n${run.output()}\nthe host holds:\n${left.stdout}${left.stderr}`);
  const unlock = await project.run(['unlock', '--env', 'stg']);
  t.is(unlock.code, 0, unlock.stdout + unlock.stderr);
  t.regex(unlock.stdout, new RegExp(`${hosts.hosts[1].name}.*release the deploy lock held by .* for release \\d{8}T`));
  t.false(await locked(1));
  // the lost host may have switched before it was cut: the next deploy puts the fleet on one release
  const next = await project.run(['deploy', '--env', 'stg']);
  t.is(next.code, 0, next.stdout.slice(-3000) + next.stderr);
  t.is(new Set(await Promise.all(both.map(currentOf))).size, 1);
});
