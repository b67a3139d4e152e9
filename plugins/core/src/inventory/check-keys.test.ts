import path from 'node:path';
import test from 'ava';
import { checkKeys } from './check-keys.js';
import { fixture } from './fixture.js';
import { selectHosts } from './limit.js';
import { loadInventory } from './load-inventory.js';

interface Case {
  title: string;
  /** files of the fixture: inventories/prod.yml, inventories/ssh_config, keys under home/; `{dir}` is the fixture */
  files: Record<string, string>;
  limit?: string;
  /** the identity files checkKeys keeps, per selected alias (hosts not named here are not compared) */
  identityFiles?: Record<string, string[]>;
  warnings?: string[];
  /** the first problem: message, and where (relative file, line, key) */
  problem?: { message: string; file: string; line: number; key: string };
}

const inv = 'inventories/prod.yml';
const ssh = 'inventories/ssh_config';
const appKey = { 'home/.ssh/app.pem': 'key' };
// a team's ~/.ssh/config: a Host * default key some people lack, hosts of every env
const team = 'Host dev-web\n  HostName 10.0.0.1\n  IdentityFile ~/.ssh/dev.pem\nHost prod-web prod-db\n  IdentityFile ~/.ssh/app.pem\nHost *\n  User deploy\n  IdentityFile ~/.ssh/id_rsa\n';

const cases: Case[] = [
  {
    title: 'no IdentityFile anywhere: ssh\'s default keys, nothing to say',
    files: { [inv]: 'hosts:\n  web1: {}\n' },
    identityFiles: { web1: [] }, warnings: [],
  },
  {
    title: 'a missing Host * key next to one that exists: kept out, with a warning naming the file, line and hosts',
    files: { ...appKey, [inv]: 'sshConfig: ssh_config\nhosts:\n  prod-web: {}\n  prod-db: {}\n', [ssh]: team },
    identityFiles: { 'prod-web': ['{dir}/home/.ssh/app.pem'], 'prod-db': ['{dir}/home/.ssh/app.pem'] },
    warnings: ['{dir}/inventories/ssh_config:8: IdentityFile: identity file not found: {dir}/home/.ssh/id_rsa, for prod-web, prod-db; its other identity files are used (ssh only warns too)'],
  },
  {
    title: 'an alias of the ssh config the inventory does not list: its missing keys are no concern',
    files: { ...appKey, 'home/.ssh/id_rsa': 'key', [inv]: 'sshConfig: ssh_config\nhosts:\n  prod-web: {}\n', [ssh]: team },
    identityFiles: { 'prod-web': ['{dir}/home/.ssh/app.pem', '{dir}/home/.ssh/id_rsa'] }, warnings: [],
  },
  {
    title: 'a selected host none of whose keys exists: an error naming the host, the ssh config and its first IdentityFile line',
    files: { [inv]: 'sshConfig: ssh_config\nhosts:\n  dev-web: {}\n', [ssh]: team },
    problem: { message: 'no identity file found for dev-web: {dir}/home/.ssh/dev.pem, {dir}/home/.ssh/id_rsa', file: ssh, line: 3, key: 'IdentityFile' },
  },
  {
    title: 'the same host left out by --limit: no error',
    files: { ...appKey, [inv]: 'sshConfig: ssh_config\nhosts:\n  dev-web: {}\n  prod-web: {}\n', [ssh]: team },
    limit: 'prod-web',
    identityFiles: { 'prod-web': ['{dir}/home/.ssh/app.pem'] },
    warnings: ['{dir}/inventories/ssh_config:8: IdentityFile: identity file not found: {dir}/home/.ssh/id_rsa, for prod-web; its other identity files are used (ssh only warns too)'],
  },
  {
    title: 'an identityFile the inventory names must exist: a typo, pointed at in the inventory',
    files: { ...appKey, [inv]: 'hosts:\n  web1:\n    identityFile: [~/.ssh/app.pem, ./keys/web.pem]\n' },
    problem: { message: 'identity file not found for web1: {dir}/inventories/keys/web.pem', file: inv, line: 3, key: 'hosts.web1.identityFile' },
  },
  {
    title: 'an inventory identityFile of a host left out by --limit is not looked for',
    files: { [inv]: 'hosts:\n  web1:\n    identityFile: ./keys/web.pem\n  web2: {}\n' },
    limit: 'web2',
    identityFiles: { web2: [] }, warnings: [],
  },
  {
    title: 'a jump host without any of its keys: an error naming it and the host it serves',
    files: { ...appKey, [inv]: 'sshConfig: ssh_config\nhosts:\n  web1:\n    identityFile: ~/.ssh/app.pem\n    proxyJump: gw\n', [ssh]: 'Host gw\n  HostName 1.2.3.4\n  IdentityFile ~/.ssh/gw.pem\n' },
    problem: { message: 'no identity file found for gw (jump host of web1): {dir}/home/.ssh/gw.pem', file: ssh, line: 3, key: 'IdentityFile' },
  },
  {
    title: 'a jump host\'s keys are narrowed like the host\'s',
    files: { ...appKey, [inv]: 'sshConfig: ssh_config\nhosts:\n  web1:\n    proxyJump: gw\n', [ssh]: 'Host gw\n  IdentityFile ~/.ssh/gw.pem\nHost *\n  IdentityFile ~/.ssh/app.pem\n' },
    identityFiles: { web1: ['{dir}/home/.ssh/app.pem'], 'gw (jump host of web1)': ['{dir}/home/.ssh/app.pem'] },
    warnings: ['{dir}/inventories/ssh_config:2: IdentityFile: identity file not found: {dir}/home/.ssh/gw.pem, for gw (jump host of web1); its other identity files are used (ssh only warns too)'],
  },
];

const fill = <T>(value: T, dir: string): T => JSON.parse(JSON.stringify(value).replaceAll('{dir}', dir));

const checks = test.macro(async (t, c: Case) => {
  const dir = await fixture(c.files);
  const inventory = await loadInventory({ dir: path.join(dir, 'inventories'), env: 'prod', home: path.join(dir, 'home'), localUser: 'me' });
  const { hosts, warnings, problems } = await checkKeys(selectHosts(inventory, c.limit));
  if (c.problem) {
    t.true(problems.length > 0, 'a problem is reported');
    const e = problems[0];
    t.is(e.code, 'E_INVENTORY');
    t.is(e.message, fill(c.problem.message, dir));
    t.deepEqual({ file: e.details.file, line: e.details.line, key: e.details.key }, { file: path.join(dir, c.problem.file), line: c.problem.line, key: c.problem.key });
    return;
  }
  t.deepEqual(problems.map(String), []);
  const kept: Record<string, string[]> = {};
  for (const h of hosts) {
    kept[h.alias] = h.identityFiles;
    for (const hop of h.proxyJump) kept[`${hop.alias} (jump host of ${h.alias})`] = hop.identityFiles;
    t.is(h.identitySources, undefined, 'checked specs carry no sources');
  }
  t.deepEqual(Object.fromEntries(Object.keys(c.identityFiles!).map((a) => [a, kept[a]])), fill(c.identityFiles!, dir));
  if (c.warnings) t.deepEqual(warnings, fill(c.warnings, dir));
});

for (const c of cases) test(c.title, checks, c);
