import path from 'node:path';
import test from 'ava';
import { RunbookError, type ErrorCode } from '../errors.js';
import { fixture } from './fixture.js';
import { loadInventory } from './load-inventory.js';

interface Case {
  title: string;
  /** the inventory text of inventories/prod.yml, or every file of the fixture */
  yaml?: string;
  files?: Record<string, string>;
  env?: string;
  code?: ErrorCode;
  /** relative to the fixture dir; `{dir}` in message stands for the fixture dir */
  file?: string;
  line?: number;
  key?: string;
  message: string;
}

const inv = 'inventories/prod.yml';

const cases: Case[] = [
  { title: 'an empty file', yaml: '', line: 1, key: '', message: 'the inventory file is empty' },
  { title: 'a comment-only file counts as empty', yaml: '# nothing yet\n', key: '', message: 'the inventory file is empty' },
  { title: 'a list at the top', yaml: '- web1\n- web2\n', line: 1, key: '', message: 'expected a mapping (sshConfig, sshConfigHosts, knownHosts, vars, groups, hosts) at the top, got a list' },
  { title: 'a YAML syntax error carries its line', yaml: 'hosts:\n  web1:\n    port: [22\n  web2: {}\n', line: 4, key: '', message: 'YAML syntax error' },
  { title: 'an unknown top-level key lists the allowed ones', yaml: 'vars: {}\nhost:\n  web1: {}\n', line: 2, key: 'host', message: 'unknown key "host" (did you mean "hosts"?); allowed: sshConfig, sshConfigHosts, knownHosts, vars, groups, hosts' },
  { title: 'an unknown host key, with a dotted alias in the key', yaml: 'hosts:\n  app.example.com:\n    hostname: 10.0.0.1\n    prot: 22\n', line: 4, key: 'hosts.app.example.com.prot', message: 'unknown key "prot" (did you mean "port"?); allowed: hostname, port, user, identityFile' },
  { title: 'a port that is not a number', yaml: 'hosts:\n  app.example.com:\n    port: abc\n', line: 3, key: 'hosts.app.example.com.port', message: 'expected a port number 1–65535, got "abc"' },
  { title: 'a port out of range', yaml: 'hosts:\n  web1:\n    port: 70000\n', line: 3, key: 'hosts.web1.port', message: 'expected a port number 1–65535, got 70000' },
  { title: 'forwardAgent must be a boolean', yaml: 'hosts:\n  web1:\n    forwardAgent: "yes"\n', line: 3, key: 'hosts.web1.forwardAgent', message: 'expected true or false, got "yes"' },
  { title: 'user must be a string', yaml: 'hosts:\n  web1:\n    user: [a]\n', line: 3, key: 'hosts.web1.user', message: 'expected a non-empty string, got a list' },
  { title: 'identityFile must be paths', yaml: 'hosts:\n  web1:\n    identityFile: [~/.ssh/a, 3]\n', line: 3, key: 'hosts.web1.identityFile', message: 'expected a path or a list of paths, got a list' },
  { title: 'a host that is a list', yaml: 'hosts:\n  web1: [a]\n', line: 2, key: 'hosts.web1', message: 'expected a mapping of names to values, got a list' },
  { title: 'vars must be a mapping', yaml: 'vars: [1, 2]\nhosts:\n  web1: {}\n', line: 1, key: 'vars', message: 'expected a mapping of names to values, got a list' },
  { title: 'a duplicated alias names the first line', yaml: 'hosts:\n  web1: {}\n  web2: {}\n  web1:\n    port: 22\n', line: 4, key: 'hosts.web1', message: 'duplicated alias "web1" (first at line 2)' },
  { title: 'a duplicated key inside a host', yaml: 'hosts:\n  web1:\n    port: 22\n    port: 23\n', line: 4, key: 'hosts.web1.port', message: 'duplicated key "port" (first at line 3)' },
  { title: 'a group on a host that is not a string', yaml: 'hosts:\n  web1:\n    groups:\n      - web\n      - { name: db }\n', line: 5, key: 'hosts.web1.groups[1]', message: 'expected a group name (a string), got a mapping' },
  { title: 'a numeric group name', yaml: 'hosts:\n  web1:\n    groups: [web, 2024]\n', line: 3, key: 'hosts.web1.groups[1]', message: 'expected a group name (a string), got 2024' },
  { title: 'a group listing an unknown host', yaml: 'groups:\n  web:\n    hosts: [web1, wbe2]\nhosts:\n  web1: {}\n  web2: {}\n', line: 3, key: 'groups.web.hosts[1]', message: 'unknown host "wbe2" in group web; hosts: web1, web2' },
  { title: 'the group all is implicit', yaml: 'groups:\n  all:\n    vars: { a: 1 }\nhosts:\n  web1: {}\n', line: 2, key: 'groups.all', message: 'the group "all" is implicit' },
  { title: 'an alias with a comma', yaml: 'hosts:\n  "web1,web2": {}\n', line: 2, key: 'hosts.web1,web2', message: 'is not usable as an alias' },
  { title: 'an inventory without hosts', yaml: 'vars:\n  domain: example.com\n', key: 'hosts', message: 'no hosts: list them under hosts:, or import Host aliases of an sshConfig with sshConfigHosts' },
  { title: 'an sshConfig alone names no host: say what to add', yaml: 'vars: {}\nsshConfig: ~/.ssh/config\n', line: 2, key: 'sshConfig', message: 'sshConfig names no hosts by itself: list this env\'s hosts under hosts: (the ssh config supplies their settings), or import Host aliases of the ssh config with sshConfigHosts: all, a pattern' },
  { title: 'an sshConfig with an empty hosts: names no host either', yaml: 'sshConfig: ~/.ssh/config\nhosts: {}\n', line: 1, key: 'sshConfig', message: 'sshConfig names no hosts by itself' },
  { title: 'sshConfigHosts without an sshConfig', yaml: 'sshConfigHosts: all\nhosts:\n  web1: {}\n', line: 1, key: 'sshConfigHosts', message: 'sshConfigHosts picks Host aliases of the ssh config, but there is none: add sshConfig: <path>' },
  { title: 'sshConfigHosts that is not a pattern', yaml: 'sshConfig: ssh\nsshConfigHosts: true\n', line: 2, key: 'sshConfigHosts', message: 'expected all, an alias pattern ("prod-*", "!prod-db") or a list of them, got true' },
  { title: 'a bad pattern in an sshConfigHosts list points at it', yaml: 'sshConfig: ssh\nsshConfigHosts:\n  - prod-*\n  - "!"\n', line: 4, key: 'sshConfigHosts[1]', message: 'got "!"' },
  { title: 'an unquoted !pattern (a YAML tag) in sshConfigHosts asks for quotes', yaml: 'sshConfig: ssh\nsshConfigHosts: [prod-*, !dev-*]\n', line: 2, key: 'sshConfigHosts[1]', message: 'got nothing: quote patterns that start with ! (\'!dev-*\')' },
  { title: 'an empty sshConfigHosts list', yaml: 'sshConfig: ssh\nsshConfigHosts: []\n', line: 2, key: 'sshConfigHosts', message: 'got an empty list' },
  { title: 'a proxyJump that is neither an alias nor [user@]host[:port]', yaml: 'hosts:\n  web1:\n    proxyJump: "ops@bastion:22x"\n  bastion: {}\n', line: 3, key: 'hosts.web1.proxyJump', message: 'proxyJump hop "ops@bastion:22x" is neither a known alias nor [user@]host[:port]; aliases: web1, bastion' },
  { title: 'a missing ssh config names the path', yaml: 'sshConfig: ./prod.ssh_config\nhosts:\n  web1: {}\n', line: 1, key: 'sshConfig', message: 'ssh config not found: {dir}/inventories/prod.ssh_config' },
  { title: 'a missing known_hosts names the path, ~ expanded', yaml: 'hosts:\n  web1: {}\nknownHosts: ~/team_known_hosts\n', line: 3, key: 'knownHosts', message: 'known_hosts file not found: {dir}/home/team_known_hosts' },
  {
    title: 'an sshConfigHosts pattern that matches no alias lists the aliases',
    files: { [inv]: 'sshConfig: ssh_config\nsshConfigHosts: [prod-*, "!prdo-db"]\n', 'inventories/ssh_config': 'Host prod-web prod-db\nHost dev-*\n' },
    line: 2, key: 'sshConfigHosts[1]', message: '"prdo-db" matches no Host alias of {dir}/inventories/ssh_config; its aliases: prod-web, prod-db',
  },
  {
    title: 'a bad value in the ssh config names the ssh config file, line and keyword',
    files: { [inv]: 'sshConfig: ssh_config\nsshConfigHosts: all\n', 'inventories/ssh_config': 'Host web1\n  HostName 10.0.0.1\n  Port twenty-two\n' },
    file: 'inventories/ssh_config', line: 3, key: 'Port', message: 'Port: expected a port number 1–65535, got "twenty-two"',
  },
  {
    title: 'an unknown token in an ssh config IdentityFile',
    files: { [inv]: 'sshConfig: ssh_config\nhosts: { web1: {} }\n', 'inventories/ssh_config': 'Host web1\n  IdentityFile ~/.ssh/%z\n' },
    file: 'inventories/ssh_config', line: 2, key: 'IdentityFile', message: 'unknown token "%z" in "~/.ssh/%z"',
  },
  {
    title: 'an unterminated quote in the ssh config',
    files: { [inv]: 'sshConfig: ssh_config\nsshConfigHosts: all\n', 'inventories/ssh_config': '\nHost web1\n  User "deploy\n' },
    file: 'inventories/ssh_config', line: 3, key: 'User', message: 'unterminated quote',
  },
  {
    title: 'an unknown env lists the envs that exist',
    files: { 'inventories/dev.yml': 'hosts: { a: {} }\n', [inv]: 'hosts: { a: {} }\n', 'inventories/notes.txt': '' },
    env: 'stg', code: 'E_UNKNOWN_ENV', file: 'inventories/stg.yml', message: 'unknown env "stg": no {dir}/inventories/stg.yml; envs that exist: dev, prod',
  },
  {
    title: 'an env that is a path is unknown too',
    files: { [inv]: 'hosts: { a: {} }\n' },
    env: '../inventories/prod', code: 'E_UNKNOWN_ENV', file: 'inventories/../inventories/prod.yml', message: 'envs that exist: prod',
  },
];

const rejects = test.macro(async (t, c: Case) => {
  const dir = await fixture(c.files ?? { [inv]: c.yaml! });
  const error = await t.throwsAsync(loadInventory({ dir: path.join(dir, 'inventories'), env: c.env ?? 'prod', home: path.join(dir, 'home'), localUser: 'me' }));
  t.true(error instanceof RunbookError, String(error));
  const e = error as RunbookError;
  t.is(e.code, c.code ?? 'E_INVENTORY');
  t.true(e.message.includes(c.message.replaceAll('{dir}', dir)), e.message);
  t.is(path.resolve(e.details.file ?? ''), path.join(dir, c.file ?? inv));
  if (c.line !== undefined) t.is(e.details.line, c.line);
  if (c.key !== undefined) t.is(e.details.key ?? '', c.key);
});

for (const c of cases) test(c.title, rejects, c);
