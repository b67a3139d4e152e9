import test from 'ava';
import { PassThrough } from 'node:stream';
import { createAsker, UsageError } from './answers.js';

/** A terminal that types `lines`, one per prompt, and records what is shown. */
function terminal(lines: string[]) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  let shown = '';
  const output = Object.assign(new PassThrough(), {
    write: (s: string) => {
      shown += s;
      // answer each prompt once it is shown
      if (s.endsWith(': ') && lines.length) setImmediate(() => input.write(`${lines.shift()}\n`));
      return true;
    },
  });
  return { input, output, shown: () => shown };
}

test('on a terminal: the prompt shows the default, Enter takes it, a bad answer is explained and asked again', async (t) => {
  const term = terminal(['', 'Prod!', 'prod,stg']);
  const asker = createAsker({ yes: false, input: term.input, output: term.output });
  t.is(await asker.ask({ flag: '--name NAME', prompt: 'App name', default: 'notes' }, undefined), 'notes');
  const envs = await asker.ask({ flag: '--envs ENV,ENV', prompt: 'Environments', default: 'prod', check: (a) => (/^[a-z,]+$/.test(a) ? undefined : 'expected names like prod,stg') }, undefined);
  t.is(envs, 'prod,stg');
  t.notThrows(() => asker.finish());
  asker.close();
  t.regex(term.shown(), /App name \(notes\): /);
  t.regex(term.shown(), /expected names like prod,stg\n {0}Environments \(prod\): /);
});

test('a flag answers without asking, even on a terminal; a bad flag value is an error naming the flag', async (t) => {
  const term = terminal([]);
  const asker = createAsker({ yes: false, input: term.input, output: term.output });
  t.is(await asker.ask({ flag: '--name NAME', prompt: 'App name', default: 'notes' }, 'shop'), 'shop');
  const e = await t.throwsAsync(asker.ask({ flag: '--name NAME', prompt: 'App name', check: () => 'expected a short lowercase name' }, 'Shop'));
  t.true(e instanceof UsageError);
  t.is(e!.message, '--name "Shop": expected a short lowercase name');
  t.is(term.shown(), '');
  asker.close();
});
