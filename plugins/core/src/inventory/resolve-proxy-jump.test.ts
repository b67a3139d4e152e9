import path from 'node:path';
import test from 'ava';
import { RunbookError } from '../errors.js';
import { fixture } from './fixture.js';
import { loadInventory } from './load-inventory.js';

interface Case {
  title: string;
  yaml: string;
  sshConfig?: string;
  alias: string;
  /** each hop as `user@hostname:port` */
  chain?: string[];
  /** or the error: message, line and key in the inventory (or ssh config when `inSshConfig`) */
  error?: { message: string; line: number; key: string; inSshConfig?: boolean };
}

const cases: Case[] = [
  { title: 'no proxyJump: an empty chain', yaml: 'hosts:\n  web1: {}\n', alias: 'web1', chain: [] },
  {
    title: 'a hop that is an inventory alias gets its own hostname, user and port',
    yaml: 'hosts:\n  web1:\n    proxyJump: bastion\n  bastion:\n    hostname: 1.2.3.4\n    user: jump\n    port: 2222\n',
    alias: 'web1', chain: ['jump@1.2.3.4:2222'],
  },
  {
    title: 'a hop that is an ssh config alias resolves through the ssh config',
    yaml: 'sshConfig: ssh_config\nhosts:\n  web1:\n    proxyJump: gw\n',
    sshConfig: 'Host gw\n  HostName 5.6.7.8\n  User gate\n',
    alias: 'web1', chain: ['gate@5.6.7.8:22'],
  },
  {
    title: 'user@ and :port written in the hop win over the alias',
    yaml: 'hosts:\n  web1:\n    proxyJump: root@bastion:2200\n  bastion:\n    hostname: 1.2.3.4\n    user: jump\n',
    alias: 'web1', chain: ['root@1.2.3.4:2200'],
  },
  {
    title: 'a plain host:port that is no alias',
    yaml: 'hosts:\n  web1:\n    proxyJump: ops@gw.example.com:2022\n',
    alias: 'web1', chain: ['ops@gw.example.com:2022'],
  },
  {
    title: 'comma-separated hops, first hop first',
    yaml: 'hosts:\n  web1:\n    proxyJump: a, b\n  a: { hostname: 10.0.0.1 }\n  b: { hostname: 10.0.0.2 }\n',
    alias: 'web1', chain: ['me@10.0.0.1:22', 'me@10.0.0.2:22'],
  },
  {
    title: 'the first hop is reached through its own proxyJump, recursively',
    yaml: 'hosts:\n  web1:\n    proxyJump: inner\n  inner:\n    proxyJump: outer\n  outer:\n    hostname: 9.9.9.9\n',
    alias: 'web1', chain: ['me@9.9.9.9:22', 'me@inner:22'],
  },
  {
    title: 'ProxyJump from the ssh config, with none for the bastion itself; the bastion need not be a host',
    yaml: 'sshConfig: ssh_config\nhosts:\n  app: {}\n',
    sshConfig: 'Host bastion\n  HostName 1.1.1.1\n  ProxyJump none\nHost app\n  User ubuntu\nHost *\n  ProxyJump bastion\n',
    alias: 'app', chain: ['me@1.1.1.1:22'],
  },
  {
    title: 'an inventory proxyJump overrides the ssh config one',
    yaml: 'sshConfig: ssh_config\nhosts:\n  app:\n    proxyJump: other.example.com\n',
    sshConfig: 'Host app\n  ProxyJump bastion\n',
    alias: 'app', chain: ['me@other.example.com:22'],
  },
  {
    title: 'a cycle is an error that shows the loop and points at the proxyJump closing it',
    yaml: 'hosts:\n  web1:\n    proxyJump: a\n  a:\n    proxyJump: b\n  b:\n    proxyJump: a\n',
    alias: 'web1', error: { message: 'proxyJump cycle: web1 → a → b → a', line: 7, key: 'hosts.b.proxyJump' },
  },
  {
    title: 'a host jumping through itself is a cycle',
    yaml: 'hosts:\n  web1:\n    proxyJump: web1\n',
    alias: 'web1', error: { message: 'proxyJump cycle: web1 → web1', line: 3, key: 'hosts.web1.proxyJump' },
  },
  {
    title: 'a cycle made in the ssh config points at the ssh config',
    yaml: 'sshConfig: ssh_config\nsshConfigHosts: all\n',
    sshConfig: 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n',
    alias: 'a', error: { message: 'proxyJump cycle: a → b → a', line: 4, key: 'ProxyJump', inSshConfig: true },
  },
  {
    title: 'an invalid hop in the ssh config',
    yaml: 'sshConfig: ssh_config\nhosts:\n  a: {}\n',
    sshConfig: 'Host a\n  ProxyJump "bad host"\n',
    alias: 'a', error: { message: 'proxyJump hop "bad host" is neither a known alias nor [user@]host[:port]', line: 2, key: 'ProxyJump', inSshConfig: true },
  },
];

const chains = test.macro(async (t, c: Case) => {
  const dir = await fixture({ 'inv/prod.yml': c.yaml, ...(c.sshConfig && { 'inv/ssh_config': c.sshConfig }) });
  const load = loadInventory({ dir: path.join(dir, 'inv'), env: 'prod', home: path.join(dir, 'home'), localUser: 'me' });
  if (c.error) {
    const e = (await t.throwsAsync(load)) as RunbookError;
    t.true(e.message.includes(c.error.message), e.message);
    t.deepEqual(
      { file: e.details.file, line: e.details.line, key: e.details.key },
      { file: path.join(dir, 'inv', c.error.inSshConfig ? 'ssh_config' : 'prod.yml'), line: c.error.line, key: c.error.key },
    );
    return;
  }
  const host = (await load).hosts.find((h) => h.alias === c.alias)!;
  t.deepEqual(host.proxyJump.map((h) => `${h.user}@${h.hostname}:${h.port}`), c.chain);
});

for (const c of cases) test(c.title, chains, c);
