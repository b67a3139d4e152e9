import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostKey, hostKeyDecision, knownHostsName, verifyHostKey, type HostKeyPolicy } from './known-hosts.js';

// An ssh key blob: string type, then the key bytes (only the type is read by recordHostKey)
const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};
const presented = blob('ssh-ed25519', 'the key the host presents');
const other = blob('ssh-ed25519', 'the key known_hosts holds');

type Known = 'known same' | 'known changed' | 'revoked' | 'unknown';
const knownHosts = (known: Known, name: string): string =>
  ({
    'known same': `${name} ssh-ed25519 ${presented.toString('base64')}\n`,
    'known changed': `# rebuilt?\n${name} ssh-ed25519 ${other.toString('base64')}\n`,
    revoked: `@revoked ${name} ssh-ed25519 ${presented.toString('base64')}\n${name} ssh-ed25519 ${presented.toString('base64')}\n`,
    unknown: `elsewhere ssh-ed25519 ${other.toString('base64')}\n`,
  })[known];

const cases: [HostKeyPolicy, Known, 'connect' | 'connect, recorded' | RegExp][] = [
  ['yes', 'known same', 'connect'],
  ['yes', 'known changed', /HOST KEY CHANGED for \[web\]:2222: .* differs from .*team_known_hosts:2\. .*every --host-key setting/],
  ['yes', 'unknown', /host key of \[web\]:2222 \(SHA256:.*\) is not known.*--host-key accept-new/],
  ['yes', 'revoked', /HOST KEY CHANGED .*team_known_hosts:1 \(revoked\)/],
  ['accept-new', 'known same', 'connect'],
  ['accept-new', 'known changed', /HOST KEY CHANGED for \[web\]:2222/],
  ['accept-new', 'unknown', 'connect, recorded'],
  ['accept-new', 'revoked', /\(revoked\)/],
  ['no', 'known same', 'connect'],
  ['no', 'known changed', /HOST KEY CHANGED for \[web\]:2222/],
  ['no', 'unknown', 'connect'],
  ['no', 'revoked', /\(revoked\)/],
];

for (const [policy, known, expected] of cases) {
  test(`host key, policy ${policy}, ${known}: ${typeof expected === 'string' ? expected : 'refused'}`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-known-'));
    const team = join(dir, 'team_known_hosts');
    const project = join(dir, '.runbook', 'known_hosts');
    const name = knownHostsName('web', 2222);
    writeFileSync(team, knownHosts(known, name));
    const error = checkHostKey({ alias: 'web-1', name, files: [team, project], policy, projectKnownHosts: project }, presented);
    if (typeof expected === 'string') {
      t.is(error, undefined);
      t.is(existsSync(project), expected === 'connect, recorded', 'only accept-new records, and only an unknown key');
      if (existsSync(project)) {
        t.is(readFileSync(project, 'utf8'), `[web]:2222 ssh-ed25519 ${presented.toString('base64')}\n`);
        t.is(verifyHostKey([project], name, presented).status, 'match', 'the next connection trusts it');
      }
    } else {
      t.is(error?.code, 'E_HOST_KEY');
      t.is(error?.details.host, 'web-1');
      t.regex(error!.message, expected);
      t.false(existsSync(project), 'a refused key is never recorded');
    }
  });
}

test('a key found in any known_hosts file is the known key, whatever another file holds (as in OpenSSH)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-known-'));
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  writeFileSync(a, `web ssh-ed25519 ${other.toString('base64')}\n`);
  writeFileSync(b, `web ssh-ed25519 ${presented.toString('base64')}\n`);
  t.is(verifyHostKey([a, b], 'web', presented).status, 'match');
});

test('hostKeyDecision: a changed key is refused under every policy', (t) => {
  for (const policy of ['yes', 'accept-new', 'no'] as const) {
    t.is(hostKeyDecision({ status: 'changed', file: 'f', line: 1 }, policy), 'refuse', policy);
    t.is(hostKeyDecision({ status: 'revoked', file: 'f', line: 1 }, policy), 'refuse', policy);
  }
});
