import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection, type Connection } from '@runbook/core';
import { auditScript, parseAudit, parseLogLine, readAudits } from './host-audit.js';

test('a deploy.log line, read from the right: the who may hold anything', (t) => {
  t.deepEqual(parseLogLine('2026-12-06T08:00:02.000Z bob@ci deploy 20261206T080000Z-9f8e7d ok commit=77aa01b'), {
    time: '2026-12-06T08:00:02.000Z', who: 'bob@ci', action: 'deploy', release: '20261206T080000Z-9f8e7d', status: 'ok', commit: '77aa01b',
  });
  t.like(parseLogLine('2026-12-06T08:00:02Z odd who deploy R2 failed'), { who: 'odd who', status: 'failed' });
  t.is(parseLogLine('garbage'), undefined);
  t.is(parseLogLine('not-a-time ann deploy R1 ok'), undefined);
});

test('records fill in what the log lacks: the deploy, and the rollback that changed its status', (t) => {
  const out = [
    'root\t/srv/shop',
    'log\t2026-12-06T08:00:02Z ann@laptop deploy R2 ok',
    `record\t${JSON.stringify({ id: 'R2', status: 'ok', deployedAt: '2026-12-06T08:00:02Z', deployedBy: 'ann@laptop' })}`,
    `record\t${JSON.stringify({ id: 'R1', status: 'rolled-back', deployedAt: '2026-12-01T08:00:00Z', deployedBy: 'cy@desk', statusAt: '2026-12-02T08:00:00Z', statusBy: 'bob@ci' })}`,
    'record\t{"id": "R0", cut sho',
  ].join('\n');
  const { events } = parseAudit('web-1', out);
  t.deepEqual(events.map((e) => `${e.time} ${e.who} ${e.action} ${e.release} ${e.status}`), [
    '2026-12-06T08:00:02Z ann@laptop deploy R2 ok',
    '2026-12-01T08:00:00Z cy@desk deploy R1 ok',
    '2026-12-02T08:00:00Z bob@ci rollback R1 rolled-back',
  ]);
});

/** two app roots as the app plugin leaves them, and a root that does not exist */
function roots() {
  const dir = mkdtempSync(join(tmpdir(), 'rb-audit-'));
  const shop = join(dir, 'shop');
  mkdirSync(join(shop, '.releases'), { recursive: true });
  writeFileSync(join(shop, 'deploy.log'), '2026-12-06T08:00:02Z bob@ci deploy R2 ok commit=77aa01b\n2026-12-06T09:00:00Z bob@ci rollback R2 rolled-back\n');
  writeFileSync(join(shop, '.releases/R2.json'), JSON.stringify({ id: 'R2', status: 'rolled-back', deployedAt: '2026-12-06T08:00:02Z', deployedBy: 'bob@ci', statusAt: '2026-12-06T09:00:00Z', statusBy: 'bob@ci' }) + '\n');
  const blog = join(dir, "it's blog");
  mkdirSync(join(blog, '.releases'), { recursive: true });
  writeFileSync(join(blog, '.releases/B1.json'), JSON.stringify({ id: 'B1', status: 'ok', deployedAt: '2026-12-05T08:00:00Z', deployedBy: 'ann@laptop' }) + '\n');
  return { shop, blog, none: join(dir, 'none') };
}

test('one exec per host reads every app; a host that does not answer in time or cannot connect is named, the others are read', async (t) => {
  const { shop, blog, none } = roots();
  const local = new LocalConnection('web-1');
  let execs = 0;
  const counted: Connection = { alias: 'web-1', stats: local.stats, exec: (c, o) => (execs++, local.exec(c, o)), close: () => local.close() };
  const read = await readAudits([
    { alias: 'web-1', roots: [shop, blog, none], connect: async () => counted },
    { alias: 'web-2', roots: [shop], connect: () => new Promise(() => {}) },
    { alias: 'web-3', roots: [shop], connect: async () => { throw new Error('connect ECONNREFUSED 10.77.0.9:22\nmore'); } },
  ], 300);
  t.is(execs, 1);
  t.deepEqual(read.events.map((e) => `${e.host} ${e.root === blog ? 'blog' : 'shop'} ${e.action} ${e.release} ${e.status}`), [
    'web-1 shop deploy R2 ok', 'web-1 shop rollback R2 rolled-back', 'web-1 blog deploy B1 ok',
  ]);
  t.deepEqual(read.unread, { 'web-2': 'no answer within 0.3 s', 'web-3': 'connect ECONNREFUSED 10.77.0.9:22' });
});

test('the script quotes the roots', (t) => {
  t.regex(auditScript(["/srv/it's"]), /for r in '\/srv\/it'\\''s'; do/);
});
