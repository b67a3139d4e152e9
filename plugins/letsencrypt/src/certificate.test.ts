import test from 'ava';
import { isNoop, type Changes } from '@runbook/core';
import { certbotArgs, certificate, certificateFact, checkCertificate, parseCertificate, type CertificateFacts, type CertificateOptions, type CertificateState } from './certificate.js';

const o: CertificateOptions = {
  certName: 'app.runbook.test', names: ['app.runbook.test', 'www.runbook.test'], webroot: '/var/www/letsencrypt',
  email: 'ops@runbook.test', server: 'https://10.77.0.1:14000/dir', keyType: 'ecdsa',
};

// recorded on the host: openssl 3.0 (bookworm) `-enddate -ext subjectAltName`, then the fact's own lines
const recorded = [
  'notAfter=Feb 22 08:16:28 2027 GMT',
  'X509v3 Subject Alternative Name: ',
  '    DNS:app.runbook.test, DNS:www.runbook.test',
  'state=present',
  'fresh=yes',
  'server=https://10.77.0.1:14000/dir',
  'key_type=ecdsa',
  '',
].join('\n');

test('parses openssl output and the renewal config', (t) => {
  t.deepEqual(parseCertificate(recorded), {
    state: 'present', names: ['app.runbook.test', 'www.runbook.test'], notAfter: 'Feb 22 08:16:28 2027 GMT', fresh: true,
    server: 'https://10.77.0.1:14000/dir', keyType: 'ecdsa',
  });
  t.deepEqual(parseCertificate('state=absent\n'), { state: 'absent', names: [], fresh: false });
  t.deepEqual(parseCertificate('notAfter=Jan  1 00:00:00 2030 GMT\nstate=present\nfresh=yes\n').names, [], 'no SAN: covers nothing');
});

const present: CertificateFacts = parseCertificate(recorded);
const cases: [string, CertificateFacts, CertificateOptions, string[] | RegExp, CertificateState?][] = [
  ['no certificate: obtain', { state: 'absent', names: [], fresh: false }, o,
    ['obtain app.runbook.test for app.runbook.test, www.runbook.test from https://10.77.0.1:14000/dir'], { replace: false }],
  ['covers all names, fresh, same server and key type: nothing to do', present, o,
    /^app\.runbook\.test covers app\.runbook\.test, www\.runbook\.test, valid until Feb 22 08:16:28 2027 GMT \(more than 30 days\)$/],
  ['covers more names than asked: still nothing to do', present, { ...o, names: ['www.runbook.test'] }, /covers www\.runbook\.test,/],
  ['names compare without case', present, { ...o, names: ['APP.runbook.test'] }, /covers app\.runbook\.test,/],
  ['a new name: expand', present, { ...o, names: [...o.names, 'api.runbook.test'] }, ['expand app.runbook.test: add api.runbook.test'], { replace: true }],
  ['expires within 30 days: renew', { ...present, fresh: false }, o,
    ['renew app.runbook.test: expires Feb 22 08:16:28 2027 GMT, within 30 days'], { replace: true }],
  ['another ACME server (staging → production): replace', { ...present, server: 'https://acme-staging-v02.api.letsencrypt.org/directory' }, o,
    ['replace app.runbook.test: issued by https://acme-staging-v02.api.letsencrypt.org/directory, want https://10.77.0.1:14000/dir'], { replace: true }],
  ['another key type: replace', present, { ...o, keyType: 'rsa' }, ['replace app.runbook.test: key type ecdsa → rsa'], { replace: true }],
  ['unreadable certificate: replace', { state: 'unknown', names: [], fresh: false }, o,
    ['replace app.runbook.test: its certificate cannot be read (openssl missing or a broken file)'], { replace: true }],
  ['no renewal config (made by hand): judged on the certificate alone', { ...present, server: undefined, keyType: undefined }, o, /covers/],
];
for (const [name, facts, options, expected, state] of cases) {
  test(`plans: ${name}`, (t) => {
    const plan = checkCertificate(facts, options);
    if (expected instanceof RegExp) {
      t.true(isNoop(plan), JSON.stringify(plan));
      if (isNoop(plan)) t.regex(plan.noop, expected);
      return;
    }
    t.false(isNoop(plan));
    t.deepEqual((plan as Changes<CertificateState>).changes, expected);
    t.deepEqual((plan as Changes<CertificateState>).state, state);
  });
}

test('certbot: non-interactive, terms agreed, webroot, cert name, server, key type, every name; --force-renewal only over a lineage', (t) => {
  t.deepEqual(certbotArgs(o, { replace: false }), [
    'certbot', 'certonly', '--non-interactive', '--agree-tos', '--no-eff-email', '--email', 'ops@runbook.test',
    '--webroot', '--webroot-path', '/var/www/letsencrypt', '--cert-name', 'app.runbook.test', '--server', 'https://10.77.0.1:14000/dir',
    '--key-type', 'ecdsa', '--expand', '-d', 'app.runbook.test', '-d', 'www.runbook.test',
  ]);
  t.true(certbotArgs(o, { replace: true }).includes('--force-renewal'));
});

test('apply: the CA bundle reaches certbot as REQUESTS_CA_BUNDLE; every word quoted', (t) => {
  const task = certificate({ ...o, caBundleFile: '/etc/letsencrypt/runbook-acme-ca.pem' });
  const [cmd] = task.type.apply({ changes: ['x'], state: { replace: false } }, task.options, {} as never);
  t.regex(cmd.script, /^mkdir -p -- \/var\/www\/letsencrypt\nREQUESTS_CA_BUNDLE=\/etc\/letsencrypt\/runbook-acme-ca\.pem certbot certonly /);
  t.regex(cmd.display, /^certbot certonly --non-interactive/);
  const plain = certificate(o);
  t.notRegex(plain.type.apply({ changes: ['x'], state: { replace: false } }, plain.options, {} as never)[0].script, /REQUESTS_CA_BUNDLE/);
});

test('the fact reads the live files, openssl with the 30-day window, and the renewal config', (t) => {
  const cmd = certificateFact(o).command;
  t.regex(cmd, /d=\/etc\/letsencrypt\/live\/app\.runbook\.test/);
  t.regex(cmd, /-checkend 2592000/);
  t.regex(cmd, /\/etc\/letsencrypt\/renewal\/app\.runbook\.test\.conf/);
});

test('bad task options are refused with the key', (t) => {
  t.throws(() => certificate({ ...o, names: [] }), { message: /names: expected at least one/ });
  t.throws(() => certificate({ ...o, names: ['*.runbook.test'] }), { message: /names\[0\]/ });
  t.throws(() => certificate({ ...o, certName: '../x' }), { message: /certName/ });
  t.throws(() => certificate({ ...o, renewBeforeDays: 90 }), { message: /renewBeforeDays/ });
});

test('the fact in a real shell, on a certificate made by openssl (paths moved into a temp dir)', async (t) => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { LocalConnection } = await import('@runbook/core');
  const root = mkdtempSync(join(tmpdir(), 'rb-le-'));
  const run = async () => {
    const out = await new LocalConnection().exec(certificateFact(o).command.replaceAll('/etc/letsencrypt', root));
    return parseCertificate(out.stdout);
  };
  t.is((await run()).state, 'absent');
  const live = join(root, 'live', 'app.runbook.test');
  mkdirSync(live, { recursive: true });
  mkdirSync(join(root, 'renewal'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(live, 'privkey.pem'),
    '-out', join(live, 'fullchain.pem'), '-days', '20', '-subj', '/CN=app.runbook.test', '-addext', 'subjectAltName=DNS:app.runbook.test'], { stdio: 'ignore' });
  writeFileSync(join(root, 'renewal', 'app.runbook.test.conf'), 'version = 2.1.0\n[renewalparams]\nkey_type = ecdsa\nserver = https://10.77.0.1:14000/dir\n');
  const f = await run();
  t.like(f, { state: 'present', names: ['app.runbook.test'], fresh: false, server: 'https://10.77.0.1:14000/dir', keyType: 'ecdsa' });
  t.regex(f.notAfter ?? '', /GMT$/);
  t.deepEqual((checkCertificate(f, o) as Changes<CertificateState>).changes, [
    'expand app.runbook.test: add www.runbook.test', `renew app.runbook.test: expires ${f.notAfter}, within 30 days`,
  ]);
  rmSync(root, { recursive: true, force: true });
});
