import test from 'ava';
import { HSTS_YEAR, LETSENCRYPT_PRODUCTION, LETSENCRYPT_STAGING, resolveLetsencryptOptions, type LetsencryptOptions } from './letsencrypt-options.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

test('defaults: production, ecdsa, redirect, no HSTS, /var/www/letsencrypt', (t) => {
  t.deepEqual(resolveLetsencryptOptions({ email: 'ops@shop.example.com' }), {
    email: 'ops@shop.example.com', server: LETSENCRYPT_PRODUCTION, caBundle: undefined, keyType: 'ecdsa', extraNames: [], redirect: true, webroot: '/var/www/letsencrypt',
  });
});

test('server shortcuts and URLs; HSTS true is a year; CA bundle as PEM or a path; extra names lower-cased', (t) => {
  const r = (o: Partial<LetsencryptOptions>) => resolveLetsencryptOptions({ email: 'a@b.io', ...o });
  t.is(r({ server: 'staging' }).server, LETSENCRYPT_STAGING);
  t.is(r({ server: 'production' }).server, LETSENCRYPT_PRODUCTION);
  t.is(r({ server: 'https://10.77.0.1:14000/dir' }).server, 'https://10.77.0.1:14000/dir');
  t.is(r({ hsts: true }).hsts, HSTS_YEAR);
  t.is(r({ hsts: 600 }).hsts, 600);
  t.false('hsts' in r({ hsts: false }));
  t.deepEqual(r({ caBundle: PEM }).caBundle, { content: `${PEM}\n` });
  t.deepEqual(r({ caBundle: '/usr/local/share/ca-certificates/ca.crt' }).caBundle, { path: '/usr/local/share/ca-certificates/ca.crt' });
  t.deepEqual(r({ extraNames: ['WWW.Shop.example.com'] }).extraNames, ['www.shop.example.com']);
  t.is(r({ webroot: '/srv/acme/' }).webroot, '/srv/acme');
});

const refused: [string, Partial<LetsencryptOptions> | undefined, RegExp][] = [
  ['no email', {}, /letsencrypt: email must be a contact address like ops@example\.com, got undefined/],
  ['an email without a domain', { email: 'ops' }, /email must be/],
  ['an unknown server shortcut', { email: 'a@b.io', server: 'prod' }, /server must be 'production', 'staging' or an ACME directory URL .*got "prod"/],
  ['a server that is not http(s)', { email: 'a@b.io', server: 'ftp://x/dir' }, /server must be/],
  ['a CA bundle that is neither PEM nor a path', { email: 'a@b.io', caBundle: 'ca.pem' }, /caBundle must be PEM certificates .* or the absolute path/],
  ['an unknown key type', { email: 'a@b.io', keyType: 'ed25519' as never }, /keyType must be 'ecdsa' or 'rsa', got "ed25519"/],
  ['a wildcard extra name', { email: 'a@b.io', extraNames: ['*.shop.example.com'] }, /extraNames\[0\] must be a DNS name .*no wildcard/],
  ['an IP address as extra name', { email: 'a@b.io', extraNames: ['10.0.0.1'] }, /extraNames\[0\]/],
  ['HSTS as text', { email: 'a@b.io', hsts: '1y' as never }, /hsts must be true, false or a max-age/],
  ['a negative HSTS', { email: 'a@b.io', hsts: -1 }, /hsts must be/],
  ['redirect as text', { email: 'a@b.io', redirect: 'yes' as never }, /redirect must be true or false/],
  ['a cert name with a slash', { email: 'a@b.io', certName: 'a/b' }, /certName must be/],
  ['a relative webroot', { email: 'a@b.io', webroot: 'www' }, /webroot must be an absolute directory/],
];
for (const [name, o, message] of refused) {
  test(`refused with the key: ${name}`, (t) => {
    const e = t.throws(() => resolveLetsencryptOptions(o as LetsencryptOptions), { message });
    t.is((e as { code?: string }).code, 'E_OPTIONS');
  });
}

test('an unknown option is E_OPTIONS with the closest and the allowed keys; on is allowed', (t) => {
  const e = t.throws(() => resolveLetsencryptOptions({ email: 'a@b.io', hts: true } as never));
  t.is((e as { code?: string }).code, 'E_OPTIONS');
  t.is(e?.message, 'letsencrypt: unknown option "hts"; did you mean "hsts"? allowed: on, email, server, caBundle, keyType, extraNames, redirect, hsts, certName, webroot');
  t.notThrows(() => resolveLetsencryptOptions({ email: 'a@b.io', on: 'web' }));
});
