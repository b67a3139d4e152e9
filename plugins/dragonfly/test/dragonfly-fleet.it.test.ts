/**
 * dragonfly serving an env of two real Debian hosts: host A (group `data`) runs it, host B (group `web`)
 * runs the app — a stand-in that writes the broker URL it is offered into a 0600 file. The "release" is
 * Debian's redis-server served over HTTP on the test bridge, as in dragonfly.it. Configure twice (0
 * changed); A binds its private address only; from B the offered URL (with the password) answers PONG;
 * from B without the password and from the control machine (not a host of the env) the server answers
 * NOAUTH. Without a password the run is refused before anything connects. No password in any event.
 * Fails (never skips) when the hosts cannot boot.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { definePlugin, isSecret, secret, type AppModel, type Plugin, type RunEvent } from '@runbook/core';
import { file } from '@runbook/system';
import { BRIDGE_ADDRESS } from '@runbook/testhosts';
import { boot, checkoutSet, type ConfigureOptions, explain, type Harness } from '@runbook/testing';
import { dragonfly } from '../src/index.js';

const run$ = promisify(execFile);
const PW = 'Dfly-fleet-pw_77';
const binary = readFileSync('/usr/bin/redis-server');
const sha = createHash('sha256').update(binary).digest('hex');
let h: Harness;
let server: Server;
let url = '';
let a: { name: string; address: string };
let b: { name: string; address: string };
const allEvents: RunEvent[] = [];

/** Stands in for @runbook/app on the web hosts: the broker URL it is offered, into a 0600 file. */
const app: Plugin = definePlugin({
  name: 'app',
  on: 'web',
  contribute: (site) => void (site.app = { name: 'shop' } as AppModel),
  configure: ({ site }) => {
    const broker = site.env.CELERY_BROKER_URL;
    if (!isSecret(broker) || site.broker?.url !== broker || site.broker.unit !== undefined) throw new Error('no offered broker');
    return [file({ path: '/root/redis_url', content: broker, mode: '0600' })];
  },
});
const plugins = (): Plugin[] => [app, dragonfly({ on: 'data', url, sha256: sha })];
const fleet = (): ConfigureOptions['fleet'] => [{ host: a.name, groups: ['data'] }, { host: b.name, groups: ['web'] }];
const configure = async (opts: ConfigureOptions = {}) => {
  const out = await h.configure(plugins(), { secrets: { DRAGONFLY_PASSWORD: secret(PW, 'DRAGONFLY_PASSWORD') }, fleet: fleet(), ...opts });
  allEvents.push(...out.events);
  return out;
};
const onB = (cmd: string) => h.ssh(`${cmd} 2>&1 || true`, { host: b.name });
/** redis-cli on B with the host, port and password of the offered URL (redis-cli -u would send an empty user name). */
const withUrl = (args: string) => onB(`u=$(cat /root/redis_url); pw=\${u#redis://:}; pw=\${pw%%@*}; hp=\${u##*@}; hp=\${hp%/0}; REDISCLI_AUTH=$pw redis-cli -h \${hp%:*} -p \${hp##*:} ${args}`);

test.before(async () => {
  h = await boot(checkoutSet('itdffleet'), { count: 2 });
  [a, b] = h.hosts.hosts;
  server = createServer((req, res) => (req.url === '/v1/dragonfly-x86_64' ? res.end(binary) : res.writeHead(404).end()));
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, BRIDGE_ADDRESS, ok));
  url = `http://${BRIDGE_ADDRESS}:${(server.address() as AddressInfo).port}/v1/dragonfly-x86_64`;
  // redis-cli on the client host, to talk to the broker as the app would
  await h.ssh('DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-tools >/dev/null', { host: b.name });
});
test.after.always(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await h?.close();
});

test.serial('configure twice (0 changed): A binds its private address; B PONGs with the offered URL; others get NOAUTH', async (t) => {
  const first = await configure();
  t.is(first.result.exitCode, 0, explain(first));
  t.deepEqual([...new Set(first.tasks.filter((e) => e.task.startsWith('dragonfly.')).map((e) => e.host))], [a.name], 'dragonfly only on A');
  const second = await configure();
  t.is(second.result.exitCode, 0, explain(second));
  t.is(second.changed, 0, explain(second));

  t.regex(await h.ssh('grep ^ExecStart= /etc/systemd/system/dragonfly.service', { host: a.name }), new RegExp(` --bind ${a.address.replace(/\./g, '\\.')} --requirepass `));
  t.is(await h.ssh('cat /root/redis_url', { host: b.name }), `redis://:${PW}@${a.address}:6379/0`);
  t.is(await withUrl('ping'), 'PONG');
  t.is(await withUrl('config get bind'), `bind\n${a.address}`, 'never 0.0.0.0');
  t.regex(await onB(`redis-cli -h ${a.address} ping`), /NOAUTH/);
  const outside = await run$('redis-cli', ['-h', a.address, 'ping']).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` }));
  t.regex(outside.stdout, /NOAUTH/, 'the control machine must authenticate');
  // the server's own clients reach it at the private address (one bind address), not loopback
  t.regex(await h.ssh('redis-cli -h 127.0.0.1 ping 2>&1 || true', { host: a.name }), /Could not connect|Connection refused/);
});

test.serial('clients on another host and no password: E_CONFIG before anything connects', async (t) => {
  const e = await t.throwsAsync(() => configure({ secrets: {} }));
  t.is((e as { code?: string }).code, 'E_CONFIG');
  t.regex(e!.message, new RegExp(`${b.name} reach the broker on ${a.name} over the network, so it needs a password`));
});

test.serial('no password in any event', (t) => {
  t.true(allEvents.length > 0);
  t.false(JSON.stringify(allEvents).includes(PW), 'the password appears in the events');
});
