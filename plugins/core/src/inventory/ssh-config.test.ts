import path from 'node:path';
import test from 'ava';
import { fixture } from './fixture.js';
import { resolveSshHost, sshConfigAliases, type SshHostOptions } from './resolve-ssh-host.js';
import { loadSshConfig } from './ssh-config.js';

interface Case {
  title: string;
  /** ssh_config is the main file; others may be Included */
  files: Record<string, string>;
  alias: string;
  values?: SshHostOptions['values'];
  identityFiles?: string[];
  aliases?: string[];
}

const cases: Case[] = [
  {
    title: 'a team block copied from ~/.ssh/config, lowercase keywords',
    files: { ssh_config: 'Host app.example.com\n    hostname 18.0.0.1\n    user ubuntu\n    identityfile ~/.ssh/app.pem\n    ForwardAgent yes\n' },
    alias: 'app.example.com',
    values: { hostname: '18.0.0.1', user: 'ubuntu', forwardAgent: true },
    identityFiles: ['~/.ssh/app.pem'],
    aliases: ['app.example.com'],
  },
  {
    title: 'the first value obtained wins: specific block before Host * defaults',
    files: { ssh_config: 'Host web1\n  User deploy\n  Port 2222\nHost *\n  User root\n  Port 22\n  ServerAliveInterval 30\n' },
    alias: 'web1',
    values: { user: 'deploy', port: 2222, serverAliveInterval: 30 },
    aliases: ['web1'],
  },
  {
    title: 'a Host * placed first wins over the later specific block',
    files: { ssh_config: 'Host *\n  User root\nHost web1\n  User deploy\n' },
    alias: 'web1',
    values: { user: 'root' },
  },
  {
    title: 'wildcards * and ? match; aliases with wildcards are not imported',
    files: { ssh_config: 'Host web? db-*\n  User ops\nHost web1 db-main\n' },
    alias: 'db-main',
    values: { user: 'ops' },
    aliases: ['web1', 'db-main'],
  },
  {
    title: '? matches exactly one character',
    files: { ssh_config: 'Host web?\n  User ops\n' },
    alias: 'web12',
    values: {},
  },
  {
    title: 'a matching !negation rules the block out',
    files: { ssh_config: 'Host *.example.com !bastion.example.com\n  ProxyJump bastion.example.com\nHost *\n  ProxyJump none\n' },
    alias: 'bastion.example.com',
    values: { proxyJump: 'none' },
  },
  {
    title: 'negation does not rule out other hosts',
    files: { ssh_config: 'Host *.example.com !bastion.example.com\n  ProxyJump bastion.example.com\n' },
    alias: 'app.example.com',
    values: { proxyJump: 'bastion.example.com' },
  },
  {
    title: 'keywords and host patterns are case-insensitive',
    files: { ssh_config: 'HOST App.Example.COM\n  HOSTNAME 10.0.0.5\n  pOrT 2200\n' },
    alias: 'app.example.com',
    values: { hostname: '10.0.0.5', port: 2200 },
  },
  {
    title: 'Keyword=value and Keyword = value',
    files: { ssh_config: 'Host=web1\nUser=deploy\nPort = 2022\nIdentityFile= ~/.ssh/a\n' },
    alias: 'web1',
    values: { user: 'deploy', port: 2022 },
    identityFiles: ['~/.ssh/a'],
  },
  {
    title: 'quoted values keep spaces; trailing comments are ignored',
    files: { ssh_config: '# team hosts\nHost web1 # the web box\n  IdentityFile "~/keys/my key.pem"\n  User \'deploy\' # comment\n' },
    alias: 'web1',
    values: { user: 'deploy' },
    identityFiles: ['~/keys/my key.pem'],
  },
  {
    title: 'IdentityFile accumulates over every matching block, in order',
    files: { ssh_config: 'Host web1\n  IdentityFile ~/.ssh/web\nHost *\n  IdentityFile ~/.ssh/id_%u\n  IdentityFile ~/.ssh/%h_%r\n' },
    alias: 'web1',
    identityFiles: ['~/.ssh/web', '~/.ssh/id_%u', '~/.ssh/%h_%r'],
  },
  {
    title: 'UserKnownHostsFile takes several files; StrictHostKeyChecking ask means yes',
    files: { ssh_config: 'Host *\n  UserKnownHostsFile ~/.ssh/known_hosts ./team_known_hosts\n  StrictHostKeyChecking ask\n' },
    alias: 'x',
    values: { userKnownHostsFile: ['~/.ssh/known_hosts', './team_known_hosts'], strictHostKeyChecking: 'yes' },
  },
  {
    title: 'time values and the other keywords we use; unknown keywords are ignored',
    files: { ssh_config: 'Host x\n  ConnectTimeout 1m30s\n  ServerAliveCountMax 3\n  HostKeyAlias web\n  IdentitiesOnly yes\n  StrictHostKeyChecking off\n  ControlMaster auto\n  AddKeysToAgent yes\n' },
    alias: 'x',
    values: { connectTimeout: 90, serverAliveCountMax: 3, hostKeyAlias: 'web', identitiesOnly: true, strictHostKeyChecking: 'no' },
  },
  {
    title: 'Include is relative to the including file and may glob, applied in place',
    files: { ssh_config: 'Include conf.d/*.conf\nHost *\n  User fallback\n', 'conf.d/a.conf': 'Host web1\n  User alice\n', 'conf.d/b.conf': 'Host web2\n  User bob\n' },
    alias: 'web2',
    values: { user: 'bob' },
    aliases: ['web1', 'web2'],
  },
  {
    title: 'an Include with no match is ignored, as in ssh',
    files: { ssh_config: 'Include missing/*.conf nothing.conf\nHost web1\n  User a\n' },
    alias: 'web1',
    values: { user: 'a' },
  },
  {
    title: 'Include inside a non-matching Host block applies nothing',
    files: { ssh_config: 'Host other\n  Include extra.conf\nHost *\n  User default\n', 'extra.conf': 'User wrong\n' },
    alias: 'web1',
    values: { user: 'default' },
  },
  {
    title: 'Match all applies to every host',
    files: { ssh_config: 'Host web1\n  Port 2201\nMatch all\n  User everyone\n' },
    alias: 'web1',
    values: { port: 2201, user: 'everyone' },
  },
  {
    title: 'Match host compares the HostName obtained so far; originalhost the alias',
    files: { ssh_config: 'Host web1\n  HostName 10.0.0.7\nMatch host 10.0.0.*\n  User by-address\nMatch originalhost web1\n  Port 2022\n' },
    alias: 'web1',
    values: { hostname: '10.0.0.7', user: 'by-address', port: 2022 },
  },
  {
    title: 'other Match criteria (exec, user, …) do not match, without failing',
    files: { ssh_config: 'Match exec "test -f /x" host web1\n  User exec-user\nMatch user root\n  Port 1\nMatch !host web1\n  Port 2\nHost *\n  User plain\n' },
    alias: 'web1',
    values: { user: 'plain' },
  },
];

const resolves = test.macro(async (t, c: Case) => {
  const dir = await fixture(c.files);
  const config = await loadSshConfig(path.join(dir, 'ssh_config'), '/home/me');
  const got = resolveSshHost(config, c.alias);
  if (c.values) t.deepEqual(got.values, c.values);
  if (c.identityFiles) t.deepEqual(got.identityFiles.map((f) => f.value), c.identityFiles);
  if (c.aliases) t.deepEqual(sshConfigAliases(config).map((a) => a.value), c.aliases);
});

for (const c of cases) test(c.title, resolves, c);
