import test from 'ava';
import { RunbookError } from '@runbook/core';
import { parseCliArgs } from './args.js';

interface Case {
  argv: string[];
  /** the limit parsed */
  limit?: string;
  error?: string;
}

const cases: Case[] = [
  { argv: ['hosts', '--env', 'prod'], limit: undefined },
  { argv: ['hosts', '--env', 'prod', '--limit', 'web,!db'], limit: 'web,!db' },
  { argv: ['hosts', '--env', 'prod', '-l', 'all'], limit: 'all' },
  // `--limit "$HOSTS"` with HOSTS unset: never every host
  { argv: ['deploy', '--env', 'prod', '--limit', ''], error: '--limit is empty: name hosts, groups or patterns (all for every host), or leave --limit out' },
  { argv: ['deploy', '--env', 'prod', '--limit=  '], error: '--limit is empty' },
  { argv: ['deploy', '--env', 'prod', '-l', ''], error: '--limit is empty' },
];

const parses = test.macro({
  exec(t, c: Case) {
    if (c.error) {
      const e = t.throws(() => parseCliArgs(c.argv)) as RunbookError;
      t.is(e.code, 'E_USAGE');
      t.true(e.isBadInput, 'exit 4');
      t.true(e.message.includes(c.error), e.message);
    } else {
      t.is(parseCliArgs(c.argv).limit, c.limit);
    }
  },
  title: (_, c: Case) => `run ${c.argv.map((a) => (a === '' || a.trim() !== a ? JSON.stringify(a) : a)).join(' ')} → ${c.error ? `error: ${c.error}` : `limit ${JSON.stringify(c.limit)}`}`,
});

for (const c of cases) test(parses, c);

test('run report takes the run as its one argument; other commands take none', (t) => {
  t.is(parseCliArgs(['report', '20261205T101500Z-a1b2c3']).run, '20261205T101500Z-a1b2c3');
  t.is(parseCliArgs(['report']).run, undefined);
  t.throws(() => parseCliArgs(['report', 'a', 'b']), { message: /unexpected arguments: b/ });
  t.throws(() => parseCliArgs(['history', 'x', '--env', 'prod']), { message: /unexpected arguments: x/ });
});
