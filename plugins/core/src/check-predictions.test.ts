/**
 * --check on a host where earlier tasks would create what later ones read: a task whose object is
 * missing predicts its change once an earlier change is pending, and fails when nothing before it could
 * have made the object. Real shell, so a real run proves the same list works when applied.
 */
import test from 'ava';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { touch } from '../test/fixture-tasks.js';
import { errors } from './errors.js';
import { LocalConnection } from './local-connection.js';
import { quote } from './quote.js';
import type { HostRunContext, TaskResult } from './run-task.js';
import { runTasks } from './run-tasks.js';
import { changes, defineTask, noop, type Task } from './task.js';

/** Marks a file as started (`<path>.started`); the file itself must exist: another task makes it. */
const start = defineTask<{ path: string; in?: 'check' | 'parse' }, { state: 'missing' | 'stopped' | 'started' }, unknown>({
  name: 'test.start',
  describe: (o) => `start ${o.path}`,
  facts: (o) => ({
    state: {
      command: `if [ ! -e ${quote(o.path)} ]; then echo missing; elif [ -e ${quote(`${o.path}.started`)} ]; then echo started; else echo stopped; fi`,
      parse: (r) => {
        const state = r.stdout.trim() as 'missing' | 'stopped' | 'started';
        // a program missing is found by the fact's parser (git), a unit by the check: both count
        if (state === 'missing' && o.in === 'parse') throw errors.missing('E_FACT', `${o.path} is not there`, o.path, [`start ${o.path}`]);
        return state;
      },
    },
  }),
  check: (f, o) => {
    if (f.state === 'missing') throw errors.missing('E_OPTIONS', `${o.path} not found on the host`, o.path, [`start ${o.path}`]);
    return f.state === 'started' ? noop('started') : changes([`start ${o.path}`]);
  },
  apply: (_p, o) => [{ script: `touch ${quote(`${o.path}.started`)}`, display: `start ${o.path}` }],
});

/** Fails on a missing file with an ordinary error: not something a check may predict. */
const strict = defineTask<{ path: string }, { exists: boolean }, unknown>({
  name: 'test.strict',
  describe: (o) => o.path,
  facts: (o) => ({ exists: { command: `test -e ${quote(o.path)}`, parse: (r) => r.code === 0 } }),
  check: (f, o) => {
    if (!f.exists) throw errors.options(`${o.path} is missing`);
    return noop('there');
  },
  apply: () => [],
});

/** A command guarded by `onlyIf test -e path`: a no-op an earlier change may undo. */
const onlyIfExists = defineTask<{ path: string }, { exists: boolean }, unknown>({
  name: 'test.onlyIf',
  describe: (o) => `rm ${o.path}`,
  facts: (o) => ({ exists: { command: `test -e ${quote(o.path)}`, parse: (r) => r.code === 0 } }),
  check: (f, o) => (f.exists ? changes([`rm ${o.path}`]) : { noop: `${o.path} absent`, ifEarlierChanges: [`rm ${o.path} (if an earlier change creates it)`] }),
  apply: (_p, o) => [{ script: `rm -f ${quote(o.path)}`, display: `rm ${o.path}` }],
});

const newHost = (check: boolean): HostRunContext => ({ alias: 'local', user: 'root', vars: {}, check });
async function play(lists: Task[][], check: boolean, host = newHost(check)) {
  const results: TaskResult[] = [];
  for (const tasks of lists) {
    if (!(await runTasks(new LocalConnection(), tasks, host, { start: () => {}, done: (_t, r) => void results.push(r) }))) break;
  }
  return results.map((r) => `${r.status}: ${r.changes?.join('; ') ?? r.error?.message ?? r.reason}`);
}

interface Case {
  title: string;
  /** the task lists of one host's run (phases), made for a fresh directory */
  lists: (d: string) => Task[][];
  /** files there before the run */
  before?: string[];
  check: string[];
  /** the real run of the same lists, where it tells something */
  real?: string[];
}

const cases: Case[] = [
  {
    title: 'an object an earlier change creates: predicted under --check, made and used by the real run',
    lists: (d) => [[touch({ path: `${d}/unit` }), start({ path: `${d}/unit` })]],
    check: [`changed: create DIR/unit`, `changed: start DIR/unit; DIR/unit is not on the host yet: expected from an earlier change`],
    real: [`changed: create DIR/unit`, `changed: start DIR/unit`],
  },
  {
    title: 'the same when the fact parser finds it missing',
    lists: (d) => [[touch({ path: `${d}/unit` }), start({ path: `${d}/unit`, in: 'parse' })]],
    check: [`changed: create DIR/unit`, `changed: start DIR/unit; DIR/unit is not on the host yet: expected from an earlier change`],
  },
  {
    title: 'the earlier change in an earlier phase of the host\'s run counts too',
    lists: (d) => [[touch({ path: `${d}/pkg` })], [start({ path: `${d}/unit` })]],
    check: [`changed: create DIR/pkg`, `changed: start DIR/unit; DIR/unit is not on the host yet: expected from an earlier change`],
  },
  {
    title: 'nothing changed before it: a missing object fails under --check as in a real run',
    lists: (d) => [[touch({ path: `${d}/there` }), start({ path: `${d}/unit` })]],
    before: ['there'],
    check: [`ok: exists`, `failed: DIR/unit not found on the host`],
    real: [`ok: exists`, `failed: DIR/unit not found on the host`],
  },
  {
    title: 'the first task: nothing before it could have made the object',
    lists: (d) => [[start({ path: `${d}/unit` }), touch({ path: `${d}/unit` })]],
    check: [`failed: DIR/unit not found on the host`],
  },
  {
    title: 'an ordinary error is a failure even after an earlier change',
    lists: (d) => [[touch({ path: `${d}/a` }), strict({ path: `${d}/b` })]],
    check: [`changed: create DIR/a`, `failed: DIR/b is missing`],
  },
  {
    title: 'an object that exists is planned from its facts, with or without earlier changes',
    lists: (d) => [[touch({ path: `${d}/a` }), start({ path: `${d}/unit` })]],
    before: ['unit'],
    check: [`changed: create DIR/a`, `changed: start DIR/unit`],
  },
  {
    title: 'a no-op an earlier change may undo (a command guard) is predicted as its change under --check',
    lists: (d) => [[touch({ path: `${d}/default` }), onlyIfExists({ path: `${d}/default` })]],
    check: [`changed: create DIR/default`, `changed: rm DIR/default (if an earlier change creates it)`],
    real: [`changed: create DIR/default`, `changed: rm DIR/default`],
  },
  {
    title: 'that no-op stays a no-op when no change comes before it',
    lists: (d) => [[onlyIfExists({ path: `${d}/default` })]],
    check: [`ok: DIR/default absent`],
    real: [`ok: DIR/default absent`],
  },
];

for (const c of cases) {
  test(c.title, async (t) => {
    for (const check of [true, ...(c.real ? [false] : [])]) {
      const d = mkdtempSync(join(tmpdir(), 'rb-predict-'));
      for (const f of c.before ?? []) writeFileSync(join(d, f), '');
      const got = (await play(c.lists(d), check)).map((l) => l.replaceAll(d, 'DIR'));
      t.deepEqual(got, check ? c.check : c.real, check ? '--check' : 'real run');
      if (check) t.false(existsSync(join(d, 'unit.started')), '--check changes nothing');
    }
  });
}
