import path from 'node:path';
import test from 'ava';
import { fixture } from './fixture.js';
import { loadInventory } from './load-inventory.js';
import type { HostSpec, JumpHop } from './types.js';

interface Case {
  title: string;
  /** files of the fixture; inventories/prod.yml is the inventory; `{dir}` in expectations is the fixture */
  files: Record<string, string>;
  /** the alias whose spec is compared (only the keys given); omit to compare the host list */
  alias?: string;
  expected?: Partial<HostSpec> & { proxyJump?: Partial<JumpHop>[] };
  aliases?: string[];
}

const teamBlock = 'Host app.example.com\n    hostname 18.0.0.1\n    user ubuntu\n    identityfile ~/.ssh/app.pem\n    ForwardAgent yes\n';
const key = { 'home/.ssh/app.pem': 'key', 'home/.ssh/id_ed25519': 'key' };

const cases: Case[] = [
  {
    title: 'the team block, copied unchanged, is imported as a host with sshConfigHosts: all',
    files: { ...key, 'inventories/prod.yml': 'sshConfig: ./prod.ssh_config\nsshConfigHosts: all\n', 'inventories/prod.ssh_config': teamBlock },
    alias: 'app.example.com',
    expected: {
      hostname: '18.0.0.1', port: 22, user: 'ubuntu', identityFiles: ['{dir}/home/.ssh/app.pem'], forwardAgent: true,
      identitiesOnly: false, proxyJump: [], knownHostsFiles: ['{dir}/home/.ssh/known_hosts'], become: true, groups: ['all'],
      source: { file: '{dir}/inventories/prod.ssh_config', line: 1 },
    },
  },
  {
    title: 'an inventory entry for an imported alias adds groups and vars, and its keys win',
    files: { ...key, 'inventories/prod.yml': 'sshConfig: prod.ssh_config\nhosts:\n  app.example.com:\n    port: 2222\n    user: root\n    groups: [web]\n    vars: { role: primary }\n', 'inventories/prod.ssh_config': teamBlock },
    alias: 'app.example.com',
    expected: { hostname: '18.0.0.1', port: 2222, user: 'root', become: false, groups: ['all', 'web'], vars: { role: 'primary' }, source: { file: '{dir}/inventories/prod.yml', line: 3 } },
  },
  {
    title: 'defaults without any ssh config: the alias is the hostname, the local user logs in',
    files: { 'inventories/prod.yml': 'hosts:\n  web1:\n  web2: {}\n' },
    alias: 'web1',
    expected: { hostname: 'web1', port: 22, user: 'me', identityFiles: [], forwardAgent: false, become: true, knownHostsFiles: ['{dir}/home/.ssh/known_hosts'], source: { file: '{dir}/inventories/prod.yml', line: 2 } },
  },
  {
    title: 'inventory paths are relative to the inventory file; ~ expands; identityFile may be a list',
    files: { ...key, 'inventories/keys/web.pem': 'k', 'inventories/team_known_hosts': '', 'inventories/prod.yml': 'knownHosts: team_known_hosts\nhosts:\n  web1:\n    identityFile: [keys/web.pem, ~/.ssh/id_ed25519]\n' },
    alias: 'web1',
    expected: { identityFiles: ['{dir}/inventories/keys/web.pem', '{dir}/home/.ssh/id_ed25519'], knownHostsFiles: ['{dir}/home/.ssh/known_hosts', '{dir}/inventories/team_known_hosts'] },
  },
  {
    title: 'tokens %h %r %u %d %% in IdentityFile, UserKnownHostsFile after the inventory one goes last',
    files: {
      'home/.ssh/10.0.0.9-deploy-me.pem': 'k', 'home/.ssh/odd%name': 'k', 'inventories/kh': '',
      'inventories/prod.yml': 'sshConfig: ssh_config\nknownHosts: kh\nhosts:\n  db1: {}\n',
      'inventories/ssh_config': 'Host db1\n  HostName 10.0.0.9\n  User deploy\n  IdentityFile ~/.ssh/%h-%r-%u.pem\n  IdentityFile %d/.ssh/odd%%name\n  UserKnownHostsFile ~/.ssh/known_hosts ./known_%n\n',
    },
    alias: 'db1',
    expected: {
      identityFiles: ['{dir}/home/.ssh/10.0.0.9-deploy-me.pem', '{dir}/home/.ssh/odd%name'],
      knownHostsFiles: ['{dir}/home/.ssh/known_hosts', '{dir}/inventories/known_db1', '{dir}/inventories/kh'],
    },
  },
  {
    title: 'UserKnownHostsFile /dev/null replaces ~/.ssh/known_hosts (a throwaway host on a reused address): only the inventory file is read',
    files: { 'inventories/kh': '', 'inventories/prod.yml': 'sshConfig: ssh_config\nknownHosts: kh\nhosts:\n  web1: {}\n', 'inventories/ssh_config': 'Host *\n  UserKnownHostsFile /dev/null\n' },
    alias: 'web1',
    expected: { knownHostsFiles: ['/dev/null', '{dir}/inventories/kh'] },
  },
  {
    title: 'identity files are all kept as configured, missing or not: checkKeys looks for them on the selected hosts',
    files: { 'inventories/prod.yml': 'sshConfig: ssh_config\nhosts:\n  web1: {}\n', 'inventories/ssh_config': 'Host web1\n  IdentityFile ~/.ssh/app.pem\nHost *\n  IdentityFile ~/.ssh/id_rsa\n  IdentityFile ~/.ssh/app.pem\n' },
    alias: 'web1',
    expected: { identityFiles: ['{dir}/home/.ssh/app.pem', '{dir}/home/.ssh/id_rsa'] },
  },
  {
    title: 'HostName %h, StrictHostKeyChecking off → no, the other keywords we use',
    files: { 'inventories/prod.yml': 'sshConfig: ssh_config\nhosts: { web1: }\n', 'inventories/ssh_config': 'Host web1\nHost *\n  HostName %h.internal\n  StrictHostKeyChecking off\n  HostKeyAlias shared\n  ConnectTimeout 10\n  ServerAliveInterval 1m\n  ServerAliveCountMax 4\n  IdentitiesOnly yes\n' },
    alias: 'web1',
    expected: { hostname: 'web1.internal', strictHostKeyChecking: 'no', hostKeyAlias: 'shared', connectTimeout: 10, serverAliveInterval: 60, serverAliveCountMax: 4, identitiesOnly: true },
  },
  {
    title: 'inventory connection keys beyond the basics',
    files: { 'inventories/prod.yml': 'hosts:\n  web1:\n    strictHostKeyChecking: accept-new\n    connectTimeout: 5\n    become: false\n' },
    alias: 'web1',
    expected: { strictHostKeyChecking: 'accept-new', connectTimeout: 5, become: false },
  },
  {
    title: 'hosts: lists exactly the hosts; the other aliases of the ssh config only sit there',
    files: { 'inventories/prod.yml': 'sshConfig: ssh_config\nhosts:\n  prod-web: {}\n', 'inventories/ssh_config': 'Host dev-web\n  HostName 10.0.0.1\nHost prod-web\n  HostName 10.0.0.2\nHost *\n  User deploy\n' },
    aliases: ['prod-web'],
    alias: 'prod-web',
    expected: { hostname: '10.0.0.2', user: 'deploy', source: { file: '{dir}/inventories/prod.yml', line: 3 } },
  },
  {
    title: 'host order: imported ssh config aliases in file order, then hosts only the inventory lists',
    files: { 'inventories/prod.yml': 'sshConfig: ssh_config\nsshConfigHosts: [web*, "!web3"]\nhosts:\n  local1: {}\n  web2: { port: 23 }\n', 'inventories/ssh_config': 'Host web1 web2 dev1\nHost *.example.com db?\nHost web3\n' },
    aliases: ['web1', 'web2', 'local1'],
  },
  {
    title: 'sshConfigHosts with only exclusions starts from every alias',
    files: { 'inventories/prod.yml': 'sshConfig: ssh_config\nsshConfigHosts: "!dev-*"\n', 'inventories/ssh_config': 'Host dev-web prod-web\nHost dev-db prod-db\n' },
    aliases: ['prod-web', 'prod-db'],
  },
  {
    title: 'groups: all, then the host\'s own list in order, then groups naming the host',
    files: { 'inventories/prod.yml': 'groups:\n  db:\n    hosts: [web1]\n  web: {}\nhosts:\n  web1:\n    groups: [web, canary, web]\n' },
    alias: 'web1',
    expected: { groups: ['all', 'web', 'canary', 'db'] },
  },
  {
    title: 'varsFrom: where each var is written for the host, lowest precedence first; another host\'s and an undefined group\'s are not',
    files: { 'inventories/prod.yml': 'vars:\n  gunicorn: { workers: 2 }\ngroups:\n  web:\n    vars: { gunicorn: { wokers: 3 }, region: eu }\nhosts:\n  web1:\n    groups: [web, canary]\n    vars:\n      gunicorn: { timeout: 5 }\n  web2: { vars: { region: us } }\n' },
    alias: 'web1',
    expected: {
      varsFrom: {
        gunicorn: [
          { value: { workers: 2 }, at: { file: '{dir}/inventories/prod.yml', line: 2, key: 'vars.gunicorn' } },
          { value: { wokers: 3 }, at: { file: '{dir}/inventories/prod.yml', line: 5, key: 'groups.web.vars.gunicorn' } },
          { value: { timeout: 5 }, at: { file: '{dir}/inventories/prod.yml', line: 10, key: 'hosts.web1.vars.gunicorn' } },
        ],
        region: [{ value: 'eu', at: { file: '{dir}/inventories/prod.yml', line: 5, key: 'groups.web.vars.region' } }],
      },
    },
  },
];

const fill = (value: unknown, dir: string): unknown => JSON.parse(JSON.stringify(value).replaceAll('{dir}', dir));

const resolves = test.macro(async (t, c: Case) => {
  const dir = await fixture(c.files);
  const inv = await loadInventory({ dir: path.join(dir, 'inventories'), env: 'prod', home: path.join(dir, 'home'), localUser: 'me' });
  if (c.aliases) t.deepEqual(inv.hosts.map((h) => h.alias), c.aliases);
  if (!c.alias) return;
  const host = inv.hosts.find((h) => h.alias === c.alias)!;
  const picked = Object.fromEntries(Object.keys(c.expected!).map((k) => [k, host[k as keyof HostSpec]]));
  t.deepEqual(picked, fill(c.expected, dir) as object);
});

for (const c of cases) test(c.title, resolves, c);
