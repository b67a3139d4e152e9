import path from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { fixture } from './fixture.js';
import { loadInventory } from './load-inventory.js';
import type { Vars } from './merge-vars.js';

interface Case {
  title: string;
  defaults?: Vars;
  config?: Vars;
  env?: Vars;
  /** group vars; host web1 lists the groups in this order */
  groups?: Record<string, Vars>;
  host?: Vars;
  extra?: Vars;
  expected: Vars;
}

const cases: Case[] = [
  { title: 'defaults alone', defaults: { x: 'defaults' }, expected: { x: 'defaults' } },
  { title: 'config vars override defaults', defaults: { x: 'defaults' }, config: { x: 'config' }, expected: { x: 'config' } },
  { title: 'env vars override config vars', config: { x: 'config' }, env: { x: 'env' }, expected: { x: 'env' } },
  { title: 'group vars override env vars', env: { x: 'env' }, groups: { web: { x: 'web' } }, expected: { x: 'web' } },
  { title: 'the group listed later on the host wins', groups: { web: { x: 'web' }, canary: { x: 'canary' } }, expected: { x: 'canary' } },
  { title: 'host vars override group vars', groups: { web: { x: 'web' } }, host: { x: 'host' }, expected: { x: 'host' } },
  { title: 'extra vars override host vars', host: { x: 'host' }, extra: { x: 'extra' }, expected: { x: 'extra' } },
  {
    title: 'every layer present: the highest wins, untouched keys stay',
    defaults: { a: 1, x: 'defaults' }, config: { b: 2, x: 'config' }, env: { c: 3, x: 'env' }, groups: { web: { d: 4, x: 'web' } },
    host: { e: 5, x: 'host' }, extra: { x: 'extra' },
    expected: { a: 1, b: 2, c: 3, d: 4, e: 5, x: 'extra' },
  },
  {
    title: 'plain objects merge deeply, later wins per key',
    defaults: { app: { workers: 2, db: { host: 'localhost', port: 5432 } } }, env: { app: { db: { host: 'db.internal' } } }, extra: { app: { workers: 8 } },
    expected: { app: { workers: 8, db: { host: 'db.internal', port: 5432 } } },
  },
  {
    title: 'arrays are replaced, not merged',
    defaults: { names: ['a', 'b'], tls: { domains: ['x'] } }, host: { names: ['c'], tls: { domains: [] } },
    expected: { names: ['c'], tls: { domains: [] } },
  },
  {
    title: 'a scalar replaces an object and an object replaces a scalar',
    defaults: { auth: { user: 'u' }, cache: 'off' }, env: { auth: false, cache: { size: 1 } },
    expected: { auth: false, cache: { size: 1 } },
  },
];

const merges = test.macro(async (t, c: Case) => {
  const groups = Object.keys(c.groups ?? {});
  const yaml = stringify({
    vars: c.env ?? {},
    groups: Object.fromEntries(Object.entries(c.groups ?? {}).map(([name, vars]) => [name, { vars }])),
    hosts: { web1: { groups, vars: c.host ?? {} } },
  });
  const dir = await fixture({ 'prod.yml': yaml });
  const inv = await loadInventory({ dir, env: 'prod', defaults: c.defaults, configVars: c.config, extraVars: c.extra });
  t.deepEqual(inv.hosts[0].vars, c.expected);
});

for (const c of cases) test(c.title, merges, c);
