import test from 'ava';
import { RunbookError } from '../errors.js';
import { selectHosts } from './limit.js';
import type { HostSpec, Inventory } from './types.js';

const host = (alias: string, groups: string[]): HostSpec => ({
  alias, hostname: alias, port: 22, user: 'me', identityFiles: [], identitiesOnly: false, forwardAgent: false,
  proxyJump: [], knownHostsFiles: [], groups: ['all', ...groups], vars: {}, varsFrom: {}, source: { file: 'prod.yml' },
});
const hosts = [host('web-1', ['web']), host('web-2', ['web', 'canary']), host('app1.example.com', ['app']), host('db1', ['db'])];
const group = (name: string) => ({ vars: {}, hosts: hosts.filter((h) => h.groups.includes(name)).map((h) => h.alias) });
const inv: Inventory = {
  env: 'prod', file: 'prod.yml', hosts, vars: {},
  groups: { all: group('all'), web: group('web'), canary: group('canary'), app: group('app'), db: group('db') },
};

interface Case {
  limit: string | undefined;
  expected?: string[];
  error?: string;
}

const all = ['web-1', 'web-2', 'app1.example.com', 'db1'];
const lists = 'hosts: web-1, web-2, app1.example.com, db1; groups: all, web, canary, app, db';
const cases: Case[] = [
  { limit: undefined, expected: all },
  { limit: 'all', expected: all },
  { limit: '*', expected: all },
  { limit: 'db1', expected: ['db1'] },
  { limit: 'web', expected: ['web-1', 'web-2'] },
  { limit: 'db1,web-1', expected: ['web-1', 'db1'] },
  { limit: 'db1:app', expected: ['app1.example.com', 'db1'] },
  { limit: 'web-*', expected: ['web-1', 'web-2'] },
  { limit: 'app?.example.com', expected: ['app1.example.com'] },
  { limit: 'ca*', expected: ['web-2'] },
  { limit: 'web,!canary', expected: ['web-1'] },
  { limit: '!db1', expected: ['web-1', 'web-2', 'app1.example.com'] },
  { limit: 'all,!web', expected: ['app1.example.com', 'db1'] },
  { limit: 'web,&canary', expected: ['web-2'] },
  { limit: '&web,!web-2', expected: ['web-1'] },
  { limit: ' web-1 , db1 ', expected: ['web-1', 'db1'] },
  { limit: 'dbb', error: `--limit "dbb": "dbb" matches no host or group; ${lists}` },
  { limit: 'web,!dbb', error: `"dbb" matches no host or group; ${lists}` },
  { limit: 'zz-*', error: '"zz-*" matches no host or group' },
  { limit: 'web,!web', error: `--limit "web,!web": selects no host; ${lists}` },
  { limit: 'db,&web', error: 'selects no host' },
  { limit: 'web,!', error: '"!" needs a host, group or pattern after !' },
  // an unset shell variable (--limit "$HOSTS") must never mean every host
  { limit: '', error: '--limit "" names no host: give hosts, groups or patterns (all for every host)' },
  { limit: '  ', error: '--limit "  " names no host' },
  { limit: ' , : ', error: 'names no host' },
];

const selects = test.macro({
  exec(t, c: Case) {
    if (c.error) {
      const e = t.throws(() => selectHosts(inv, c.limit)) as RunbookError;
      t.is(e.code, 'E_USAGE');
      t.true(e.message.includes(c.error), e.message);
    } else {
      t.deepEqual(selectHosts(inv, c.limit).map((h) => h.alias), c.expected);
    }
  },
  title: (_, c: Case) => `--limit ${JSON.stringify(c.limit)} → ${c.error ? `error: ${c.error}` : c.expected!.join(' ')}`,
});

for (const c of cases) test(selects, c);
