import test from 'ava';
import { RunbookError } from '../errors.js';
import { fixture } from './fixture.js';
import { parseExtraVars } from './parse-extra-vars.js';

interface Case {
  args: string[];
  expected?: Record<string, unknown>;
  error?: string;
}

const cases: Case[] = [
  { args: ['branch=main'], expected: { branch: 'main' } },
  { args: ['workers=4', 'debug=true', 'ratio=0.5'], expected: { workers: 4, debug: true, ratio: 0.5 } },
  { args: ['hosts=["a","b"]', 'db={"port":5432}'], expected: { hosts: ['a', 'b'], db: { port: 5432 } } },
  { args: ['tag=null', 'name="quoted"', 'empty='], expected: { tag: 'null', name: '"quoted"', empty: '' } },
  { args: ['url=https://x.example.com/?a=b'], expected: { url: 'https://x.example.com/?a=b' } },
  { args: ['x=1', 'x=2'], expected: { x: 2 } },
  { args: ['app.branch=main', 'app.workers=2'], expected: { app: { branch: 'main', workers: 2 } } },
  { args: ['{"app": {"branch": "main"}, "n": 1}'], expected: { app: { branch: 'main' }, n: 1 } },
  { args: ['@{dir}/vars.yml', 'b=override'], expected: { a: 1, b: 'override' } },
  { args: ['novalue'], error: '-e "novalue": expected key=value' },
  { args: ['=1'], error: 'expected key=value' },
  { args: ['{"a": '], error: 'not a JSON object' },
  { args: ['@{dir}/list.yml'], error: 'expected a mapping of names to values' },
  { args: ['@{dir}/missing.yml'], error: 'ENOENT' },
];

const parses = test.macro({
  async exec(t, c: Case) {
    const dir = await fixture({ 'vars.yml': 'a: 1\nb: 2\n', 'list.yml': '- 1\n' });
    const args = c.args.map((a) => a.replace('{dir}', dir));
    if (c.error) {
      const e = t.throws(() => parseExtraVars(args)) as RunbookError;
      t.is(e.code, 'E_USAGE');
      t.true(e.message.includes(c.error), e.message);
    } else {
      t.deepEqual(parseExtraVars(args), c.expected);
    }
  },
  title: (_, c: Case) => `-e ${c.args.join(' -e ')}`,
});

for (const c of cases) test(parses, c);
