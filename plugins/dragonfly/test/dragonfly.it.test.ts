/**
 * dragonfly on a real Debian host. This machine cannot download Dragonfly, so the "release" is Debian's
 * redis-server executable (a Redis-protocol server that takes --dir, --port, --bind, --requirepass,
 * --maxmemory), served by a local HTTP server on the test bridge with its real sha256; the plugin does
 * not know. Its shared libraries come with redis-tools, which the plugin installs anyway.
 * Configure twice (0 changed), PONG with the password (NOAUTH without), systemd restarts a killed
 * server, a changed password restarts it, check mode reports a hand-edited unit with a diff, a wrong
 * sha256 fails naming the URL and both sums and leaves the old binary. No password in any event.
 * Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { secret, type Plugin, type RunEvent } from '@runbook/core';
import { BRIDGE_ADDRESS } from '@runbook/testhosts';
import { boot, checkoutSet, explain, type Harness } from '@runbook/testing';
import { dragonfly, type DragonflyOptions } from '../src/index.js';

const SERVER_BINARY = '/usr/bin/redis-server';
const PW = 'Dfly-s3cret $`"\\ pw';
const PW2 = 'other-Dfly-pass-77';
const CORRUPT = Buffer.from('a truncated download\n');
// a "new release": the same executable with trailing bytes (an ELF file runs the same), another sha256

let h: Harness;
let server: Server;
let base = '';
const binary = readFileSync(SERVER_BINARY);
const sha = createHash('sha256').update(binary).digest('hex');
const binary3 = Buffer.concat([binary, Buffer.alloc(4096, 0)]);
const sha3 = createHash('sha256').update(binary3).digest('hex');
const allEvents: RunEvent[] = [];
// a release archive, laid out like Dragonfly's (dragonfly-x86_64.tar.gz holding dragonfly-x86_64)
const binary4 = Buffer.concat([binary, Buffer.alloc(8192, 0)]);
const sha4 = createHash('sha256').update(binary4).digest('hex');
const archive = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-dfly-'));
  writeFileSync(join(dir, 'dragonfly-x86_64'), binary4, { mode: 0o755 });
  execFileSync('tar', ['-czf', join(dir, 'a.tar.gz'), '-C', dir, 'dragonfly-x86_64']);
  const bytes = readFileSync(join(dir, 'a.tar.gz'));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
})();
const archiveSha = createHash('sha256').update(archive).digest('hex');

const plugins = (o: Partial<DragonflyOptions> = {}): Plugin[] => [
  dragonfly({ url: `${base}/v1.0.0/dragonfly-x86_64`, sha256: sha, maxMemory: '64mb', ...o }),
];
const secrets = (pw = PW) => ({ DRAGONFLY_PASSWORD: secret(pw, 'DRAGONFLY_PASSWORD') });
const configure = async (ps: Plugin[], opts: Parameters<Harness['configure']>[1] = {}) => {
  const out = await h.configure(ps, { secrets: secrets(), ...opts });
  allEvents.push(...out.events);
  return out;
};

/** redis-cli on the host, the password through the environment (never on a command line). */
const cli = (args: string, pw?: string): Promise<string> =>
  h.ssh(`${pw ? `REDISCLI_AUTH=${shq(pw)} ` : ''}redis-cli ${args} 2>&1 || true`);
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

async function until(probe: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    if (await probe().catch(() => false)) return true;
  }
  return false;
}

test.before(async () => {
  h = await boot(checkoutSet('itdragonfly'));
  // the "release server": only reachable while the bridge exists, so started after the host set is up
  server = createServer((req, res) => {
    if (req.url === '/v1.0.0/dragonfly-x86_64') res.end(binary);
    else if (req.url === '/v2.0.0/dragonfly-x86_64') res.end(CORRUPT);
    else if (req.url === '/v3.0.0/dragonfly-x86_64') res.end(binary3);
    else if (req.url === '/v4.0.0/dragonfly-x86_64.tar.gz') res.end(archive);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, BRIDGE_ADDRESS, resolve));
  base = `http://${BRIDGE_ADDRESS}:${(server.address() as AddressInfo).port}`;
});
test.after.always(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await h?.close();
});

test.serial('configure twice: the manual steps as tasks, PONG with the password, 0 changed the second time', async (t) => {
  const first = await configure(plugins());
  t.is(first.result.exitCode, 0, explain(first));
  // started once, by the unit task: the server task finds it current and answering
  const server = first.tasks.find((e) => e.task === 'dragonfly.server');
  t.is(server?.status, 'ok', explain(first));
  t.regex(server?.reason ?? '', /PONG/);
  const second = await configure(plugins());
  t.is(second.result.exitCode, 0, explain(second));
  t.is(second.changed, 0, explain(second));

  t.is(await cli('ping', PW), 'PONG');
  t.regex(await cli('ping'), /NOAUTH/);
  t.is(await h.ssh('systemctl is-active dragonfly'), 'active');
  t.is(await h.ssh('systemctl is-enabled dragonfly'), 'enabled');
  t.is(await h.ssh(`sha256sum /usr/local/bin/dragonfly | cut -d' ' -f1`), sha);
  t.is(await h.ssh('stat -c %a:%U:%G /usr/local/bin/dragonfly'), '755:root:root');
  t.is(await h.ssh('stat -c %a:%U:%G /var/lib/dragonfly'), '755:dragonfly:dragonfly');
  t.is(await h.ssh('stat -c %a:%U:%G /etc/dragonfly/dragonfly.env'), '600:root:root');
  t.regex(await h.ssh('getent passwd dragonfly'), /^dragonfly:x:\d+:\d+::\/var\/lib\/dragonfly:\/bin\/bash$/);
  t.is(await h.ssh('id -gn dragonfly'), 'dragonfly');
  t.regex(await h.ssh('getent shadow dragonfly | cut -d: -f2'), /^[!*]/, 'no password');
  const unit = await h.ssh('cat /etc/systemd/system/dragonfly.service');
  t.regex(unit, /^ExecStart=\/usr\/local\/bin\/dragonfly --dir \/var\/lib\/dragonfly --port 6379 --bind 127\.0\.0\.1 --maxmemory 64mb --requirepass \$\{REDISCLI_AUTH\}$/m);
  t.regex(unit, /^ExecStop=\/usr\/bin\/redis-cli shutdown$/m);
  t.regex(unit, /^Restart=always$/m);
  t.is(await h.ssh('ps -o user= -p "$(systemctl show -p MainPID --value dragonfly)"'), 'dragonfly');
  t.is(await cli('config get maxmemory', PW), 'maxmemory\n67108864');
});

test.serial('a killed server is restarted by systemd and answers again', async (t) => {
  const before = await h.ssh('systemctl show -p MainPID --value dragonfly');
  await h.ssh(`kill -KILL ${before}`);
  t.true(await until(async () => {
    const pid = await h.ssh('systemctl show -p MainPID --value dragonfly');
    return pid !== '0' && pid !== before && (await cli('ping', PW)) === 'PONG';
  }), 'no new process answering PONG');
  t.is(await h.ssh('systemctl is-active dragonfly'), 'active');
});

test.serial('a changed password rewrites the env file and restarts the server; then 0 changed', async (t) => {
  const changed = await configure(plugins(), { secrets: secrets(PW2) });
  t.is(changed.result.exitCode, 0, explain(changed));
  t.deepEqual(changed.tasks.filter((e) => e.status === 'changed').map((e) => e.task), ['file.content', 'dragonfly.server']);
  t.is(await cli('ping', PW2), 'PONG');
  t.regex(await cli('ping', PW), /WRONGPASS|invalid password|NOAUTH/i);
  const again = await configure(plugins(), { secrets: secrets(PW2) });
  t.is(again.changed, 0, explain(again));
  const back = await configure(plugins());
  t.is(back.result.exitCode, 0, explain(back));
  t.is(await cli('ping', PW), 'PONG');
});

test.serial('check mode after a hand edit of the unit reports the diff; a real run puts it back', async (t) => {
  await h.ssh(`sed -i 's/^Restart=always$/Restart=on-failure/' /etc/systemd/system/dragonfly.service`);
  const check = await configure(plugins(), { check: true, diff: true });
  t.is(check.result.exitCode, 2, explain(check));
  const unit = check.tasks.find((e) => e.task === 'systemd.unit');
  t.is(unit?.status, 'changed', explain(check));
  t.regex(unit?.diff ?? '', /^-Restart=on-failure$/m);
  t.regex(unit?.diff ?? '', /^\+Restart=always$/m);
  t.is(await h.ssh('grep ^Restart= /etc/systemd/system/dragonfly.service'), 'Restart=on-failure', 'check mode changed nothing');
  const fix = await configure(plugins());
  t.is(fix.result.exitCode, 0, explain(fix));
  t.deepEqual(fix.tasks.filter((e) => e.status === 'changed').map((e) => e.task), ['systemd.unit', 'dragonfly.server']);
  t.is(await h.ssh('systemctl show -p Restart --value dragonfly'), 'always');
  t.is((await configure(plugins())).changed, 0);
});

test.serial('a new binary (other URL and sha256) replaces the old one and restarts the server; then 0 changed', async (t) => {
  const before = await h.ssh('systemctl show -p MainPID --value dragonfly');
  const v3 = plugins({ url: `${base}/v3.0.0/dragonfly-x86_64`, sha256: sha3 });
  const up = await configure(v3);
  t.is(up.result.exitCode, 0, explain(up));
  t.deepEqual(up.tasks.filter((e) => e.status === 'changed').map((e) => [e.task, e.changes]), [
    ['file.download', [`download ${base}/v3.0.0/dragonfly-x86_64 → /usr/local/bin/dragonfly (was sha256 ${sha.slice(0, 12)}…), mode 0755, owner root, group root`]],
    ['dragonfly.server', ['restart dragonfly.service: /usr/local/bin/dragonfly changed since it started']],
  ]);
  t.not(await h.ssh('systemctl show -p MainPID --value dragonfly'), before);
  t.is(await h.ssh(`sha256sum /usr/local/bin/dragonfly | cut -d' ' -f1`), sha3);
  t.is(await cli('ping', PW), 'PONG');
  t.is((await configure(v3)).changed, 0);
});

test.serial('a release archive: the member is installed and the server restarted; then 0 changed', async (t) => {
  const v4 = plugins({ url: `${base}/v4.0.0/dragonfly-x86_64.tar.gz`, sha256: archiveSha });
  const up = await configure(v4);
  t.is(up.result.exitCode, 0, explain(up));
  t.deepEqual(up.tasks.filter((e) => e.status === 'changed').map((e) => e.task), ['file.directory', 'file.download', 'command.run', 'dragonfly.server']);
  t.is(await h.ssh(`sha256sum /usr/local/bin/dragonfly | cut -d' ' -f1`), sha4);
  t.is(await h.ssh('stat -c %a:%U:%G /usr/local/bin/dragonfly'), '755:root:root');
  t.is(await cli('ping', PW), 'PONG');
  t.is((await configure(v4)).changed, 0);
  // a hand-replaced binary is put back from the cached archive
  await h.ssh('install -m 0755 /bin/true /usr/local/bin/.x && mv -f /usr/local/bin/.x /usr/local/bin/dragonfly');
  const fix = await configure(v4);
  t.deepEqual(fix.tasks.filter((e) => e.status === 'changed').map((e) => e.task), ['command.run', 'dragonfly.server']);
  t.is(await h.ssh(`sha256sum /usr/local/bin/dragonfly | cut -d' ' -f1`), sha4);
  t.is(await cli('ping', PW), 'PONG');
});

test.serial('a wrong sha256 fails naming the URL and both sums, and leaves the old binary running', async (t) => {
  const wrong = 'ab'.repeat(32);
  const url = `${base}/v2.0.0/dragonfly-x86_64`;
  const bad = await configure(plugins({ url, sha256: wrong }));
  t.is(bad.result.exitCode, 1, explain(bad));
  const failed = bad.tasks.find((e) => e.status === 'failed');
  t.is(failed?.task, 'file.download');
  const actual = createHash('sha256').update(CORRUPT).digest('hex');
  t.true(failed?.error?.message.includes(`sha256 mismatch for ${url}: expected ${wrong}, got ${actual}`), failed?.error?.message);
  t.is(await h.ssh(`sha256sum /usr/local/bin/dragonfly | cut -d' ' -f1`), sha4, 'the old binary stays');
  t.is(await h.ssh('ls -A /usr/local/bin'), 'dragonfly', 'no temp file left behind');
  t.is(await cli('ping', PW), 'PONG');
});

test.serial('no password in any event', (t) => {
  t.true(allEvents.length > 0);
  const text = JSON.stringify(allEvents);
  for (const pw of [PW, PW2, encodeURIComponent(PW)]) t.false(text.includes(pw), 'a password appears in the events');
});
