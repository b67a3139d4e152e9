/**
 * letsencrypt against a real ACME server: pebble + pebble-challtestsrv on the test bridge, the test names
 * resolving to the test host through challtestsrv's DNS, real http-01 validation against the host's
 * nginx. One configure run goes from a bare host to https (nginx serves the challenge on port 80 first,
 * then the TLS block once the certificate exists); a second run changes nothing; a new name expands
 * the certificate; `certbot renew --dry-run` succeeds with the renewal timer's environment. Fails (never
 * skips) when the host cannot boot or pebble cannot start.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { definePlugin, type Plugin } from '@runbook/core';
import { directory, file, systemdUnit } from '@runbook/system';
import { nginx } from '@runbook/nginx';
import { BRIDGE_ADDRESS } from '@runbook/testhosts';
import { boot, checkoutSet, explain, type Harness, settle } from '@runbook/testing';
import { DEPLOY_HOOK, letsencrypt, type LetsencryptOptions } from '../src/index.js';
import { startPebble, type Pebble } from './pebble.js';

const run$ = promisify(execFile);
const APP = 'app.runbook.test';
const WWW = 'www.runbook.test';

let h: Harness;
let pebble: Pebble;
let scratch: string;

/** Stands in for app + gunicorn: an http upstream serving /srv/up on :8000. */
const upstream: Plugin = definePlugin({
  name: 'upstream',
  contribute(site) {
    site.upstream = { protocol: 'http', address: '127.0.0.1:8000' };
  },
  configure: () => [
    directory({ path: '/srv/up' }),
    file({ path: '/srv/up/index.html', content: '<h1>served over https</h1>\n' }),
    systemdUnit({
      name: 'rb-upstream.service',
      content: '[Unit]\nDescription=test upstream\n[Service]\nExecStart=/usr/bin/python3 -m http.server 8000 --bind 127.0.0.1 --directory /srv/up\n[Install]\nWantedBy=multi-user.target\n',
      enabled: true,
      state: 'started',
    }),
  ],
});

const plugins = (extra: Partial<LetsencryptOptions> = {}): Plugin[] => [
  upstream,
  nginx({ serverNames: [APP] }),
  letsencrypt({ email: 'ops@runbook.test', server: pebble.directory, caBundle: pebble.minica, hsts: 600, ...extra }),
];

/** curl from this machine to the host under a test name; `-w` gives status and redirect. */
async function curl(name: string, url: string, args: string[] = []): Promise<{ code: string; body: string }> {
  const port = url.startsWith('https:') ? 443 : 80;
  const { stdout } = await run$('curl', ['-sS', '--max-time', '10', '--resolve', `${name}:${port}:${h.host.address}`, '-w', '\n%{http_code} %{redirect_url}', ...args, url]);
  const i = stdout.lastIndexOf('\n');
  return { body: stdout.slice(0, i), code: stdout.slice(i + 1).trim() };
}

const san = () => h.ssh(`openssl x509 -in /etc/letsencrypt/live/${APP}/fullchain.pem -noout -ext subjectAltName | tail -n1`);

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rb-itletsencrypt-'));
  h = await boot(checkoutSet('itletsencrypt'));
  // the bridge exists once a host set is up
  pebble = await startPebble(BRIDGE_ADDRESS, scratch);
  await pebble.addA(APP, h.host.address);
  await pebble.addA(WWW, h.host.address);
});
test.after.always(async () => {
  await pebble?.stop();
  await h?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test.serial('first configure: a certificate from pebble and the TLS site in one run; the second run changes nothing', async (t) => {
  const first = await h.configure(plugins());
  t.is(first.result.exitCode, 0, `${explain(first)}\n${pebble.logs()}`);
  const cert = first.tasks.find((e) => e.task === 'letsencrypt.certificate');
  t.is(cert?.status, 'changed');
  t.deepEqual(cert?.changes, [`obtain ${APP} for ${APP} from ${pebble.directory}`]);
  t.log(`certificate issuance against pebble (certbot certonly, account registration included): ${cert?.ms} ms`);
  // nginx wrote the port-80 block first; the handler switched it to TLS once the certificate existed
  const site = first.tasks.filter((e) => e.task === 'nginx.site');
  t.regex(site[0]?.changes?.[0] ?? '', /not there yet/);
  t.deepEqual(site.map((e) => [e.title, e.status]), [['/etc/nginx/sites-available/site', 'changed'], ['update nginx site', 'changed']]);

  const second = await h.configure(plugins());
  t.is(second.result.exitCode, 0, explain(second));
  t.is(second.changed, 0, explain(second));
  t.regex(second.tasks.find((e) => e.task === 'letsencrypt.certificate')?.reason ?? '', new RegExp(`^${APP} covers ${APP}, valid until .* \\(more than 30 days\\)$`));

  const root = await pebble.rootFile();
  await settle(async () => (await curl(APP, `https://${APP}/`, ['--cacert', root])).code.startsWith('200'));
  const page = await curl(APP, `https://${APP}/`, ['--cacert', root]);
  t.is(page.code, '200');
  t.regex(page.body, /served over https/);
  t.regex((await run$('curl', ['-sS', '-D', '-', '-o', '/dev/null', '--cacert', root, '--resolve', `${APP}:443:${h.host.address}`, `https://${APP}/`])).stdout, /strict-transport-security: max-age=600/i);
  t.is((await curl(APP, `http://${APP}/some/page?q=1`)).code, `301 https://${APP}/some/page?q=1`);
  // the challenge path stays on http
  await h.ssh('mkdir -p /var/www/letsencrypt/.well-known/acme-challenge && echo probe > /var/www/letsencrypt/.well-known/acme-challenge/probe');
  t.deepEqual(await curl(APP, `http://${APP}/.well-known/acme-challenge/probe`), { code: '200', body: 'probe\n' });
  t.is(await san(), `DNS:${APP}`);
  t.is(await h.ssh('systemctl is-active certbot.timer; systemctl is-enabled certbot.timer'), 'active\nenabled');
  t.is(await h.ssh(`test -x ${DEPLOY_HOOK} && head -n1 ${DEPLOY_HOOK}`), '#!/bin/sh');
});

test.serial('a new name expands the certificate (SAN has both), then nothing changes', async (t) => {
  const expanded = await h.configure(plugins({ extraNames: [WWW] }));
  t.is(expanded.result.exitCode, 0, `${explain(expanded)}\n${pebble.logs()}`);
  t.deepEqual(expanded.tasks.find((e) => e.task === 'letsencrypt.certificate')?.changes, [`expand ${APP}: add ${WWW}`]);
  t.is(await san(), `DNS:${APP}, DNS:${WWW}`);
  const root = await pebble.rootFile();
  await settle(async () => (await curl(WWW, `https://${WWW}/`, ['--cacert', root])).code.startsWith('200'));
  const www = await curl(WWW, `https://${WWW}/`, ['--cacert', root]);
  t.is(www.code, '200');
  t.regex(www.body, /served over https/);
  const again = await h.configure(plugins({ extraNames: [WWW] }));
  t.is(again.changed, 0, explain(again));
});

test.serial('certbot renew --dry-run succeeds against pebble with the environment of the renewal timer', async (t) => {
  const env = await h.ssh('systemctl show -p Environment --value certbot.service');
  t.is(env, 'REQUESTS_CA_BUNDLE=/etc/letsencrypt/runbook-acme-ca.pem');
  // plain `certbot renew --dry-run`: the server comes from /etc/letsencrypt/cli.ini, the CA from the unit's env
  t.is(await h.ssh('grep ^server /etc/letsencrypt/cli.ini'), `server = ${pebble.directory}`);
  const out = await h.ssh(`env ${env} certbot renew --dry-run --no-random-sleep-on-renew 2>&1`);
  t.regex(out, /all simulated renewals succeeded/i);
  // the hook works when certbot runs it
  t.is(await h.ssh(`${DEPLOY_HOOK} && systemctl is-active nginx`), 'active');
});

test.serial('another key type replaces the certificate (rsa), then nothing changes', async (t) => {
  const rsa = await h.configure(plugins({ extraNames: [WWW], keyType: 'rsa' }));
  t.is(rsa.result.exitCode, 0, `${explain(rsa)}\n${pebble.logs()}`);
  t.deepEqual(rsa.tasks.find((e) => e.task === 'letsencrypt.certificate')?.changes, [`replace ${APP}: key type ecdsa → rsa`]);
  t.regex(await h.ssh(`openssl x509 -in /etc/letsencrypt/live/${APP}/fullchain.pem -noout -text | grep -m1 'Public Key Algorithm'`), /rsaEncryption/);
  t.is(await san(), `DNS:${APP}, DNS:${WWW}`);
  const again = await h.configure(plugins({ extraNames: [WWW], keyType: 'rsa' }));
  t.is(again.changed, 0, explain(again));
});
