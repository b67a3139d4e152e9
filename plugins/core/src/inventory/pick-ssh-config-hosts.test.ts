import test from 'ava';
import { RunbookError } from '../errors.js';
import { pickSshConfigHosts } from './pick-ssh-config-hosts.js';

const file = '/home/me/.ssh/config';
// a team's ~/.ssh/config: every env's hosts in one file
const aliases = ['dev-web', 'qa-web', 'stg-web', 'prod-web', 'prod-db', 'Prod-Cache'].map((value, i) => ({ value, at: { file, line: i + 1, key: 'Host' } }));

interface Case {
  patterns: string[];
  expected?: string[];
  /** the message, and the index of the pattern it points at */
  error?: string;
  at?: number;
}

const cases: Case[] = [
  { patterns: ['all'], expected: ['dev-web', 'qa-web', 'stg-web', 'prod-web', 'prod-db', 'Prod-Cache'] },
  { patterns: ['*'], expected: ['dev-web', 'qa-web', 'stg-web', 'prod-web', 'prod-db', 'Prod-Cache'] },
  { patterns: ['prod-*'], expected: ['prod-web', 'prod-db', 'Prod-Cache'] },
  { patterns: ['prod-web'], expected: ['prod-web'] },
  { patterns: ['PROD-WEB'], expected: ['prod-web'] },
  { patterns: ['prod-db', 'dev-web'], expected: ['dev-web', 'prod-db'] },
  { patterns: ['prod-*', '!prod-db'], expected: ['prod-web', 'Prod-Cache'] },
  { patterns: ['!prod-db', 'prod-*'], expected: ['prod-web', 'Prod-Cache'] },
  { patterns: ['!dev-*', '!qa-*'], expected: ['stg-web', 'prod-web', 'prod-db', 'Prod-Cache'] },
  { patterns: ['???-web'], expected: ['dev-web', 'stg-web'] },
  { patterns: ['prod-*', '!prod-*'], expected: [] },
  { patterns: ['prdo-*'], error: '"prdo-*" matches no Host alias of /home/me/.ssh/config; its aliases: dev-web, qa-web, stg-web, prod-web, prod-db, Prod-Cache', at: 0 },
  { patterns: ['all', '!dve-web'], error: '"dve-web" matches no Host alias', at: 1 },
];

const picks = test.macro({
  exec(t, c: Case) {
    const patterns = c.patterns.map((value, i) => ({ value, at: { file: 'prod.yml', line: 2, key: `sshConfigHosts[${i}]` } }));
    if (c.error) {
      const e = t.throws(() => pickSshConfigHosts(aliases, patterns, file)) as RunbookError;
      t.is(e.code, 'E_INVENTORY');
      t.true(e.message.includes(c.error), e.message);
      t.is(e.details.key, `sshConfigHosts[${c.at}]`);
    } else {
      t.deepEqual(pickSshConfigHosts(aliases, patterns, file).map((a) => a.value), c.expected);
    }
  },
  title: (_, c: Case) => `sshConfigHosts ${JSON.stringify(c.patterns)} → ${c.error ? `error: ${c.error}` : c.expected!.join(' ') || 'nothing'}`,
});

for (const c of cases) test(picks, c);
