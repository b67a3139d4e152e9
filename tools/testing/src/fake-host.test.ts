/** The fake host through core's real executor: facts answered, applies recorded, state changes, failures. */
import test from 'ava';
import { changes, defineTask, definePlugin, frameSteps, noop, quote } from '@runbook/core';
import { attach, fakeHost, parseFramedScript, pluginContext, runOn } from './index.js';

/** A line in a file: reads the file, appends the line when missing. */
const hasLine = defineTask<{ path: string; line: string }, { content: string | null }, { append: string }>({
  name: 'test.line',
  describe: (o) => `${o.path}: ${o.line}`,
  facts: (o) => ({ content: { command: `cat ${quote(o.path)}`, parse: (r) => (r.code === 0 ? r.stdout : null) } }),
  check: (f, o) => {
    if (f.content === null) return changes([`create ${o.path}`], { state: { append: o.line } });
    return f.content.split('\n').includes(o.line) ? noop(`${o.path} has the line`) : changes([`append to ${o.path}`], { state: { append: o.line } });
  },
  apply: (p, o) => [{ script: `printf '%s\\n' ${quote(p.state!.append)} >> ${quote(o.path)}`, display: `append to ${o.path}` }],
});

test('a no-op costs one exec, applies nothing, and says why', async (t) => {
  const fake = fakeHost({ facts: { 'cat /etc/motd': 'hello\n' } });
  const r = await fake.run([hasLine({ path: '/etc/motd', line: 'hello' })]);
  t.deepEqual(r.statuses, ['ok']);
  t.is(r.results[0].reason, '/etc/motd has the line');
  t.deepEqual(r.applied, []);
  t.is(r.execs, 1);
  t.deepEqual(fake.factsRead, ['cat /etc/motd']);
});

test('a change records the applied command; onApply moves the state so a second run is a no-op', async (t) => {
  const fake = fakeHost({
    facts: { 'cat /etc/motd': { stderr: 'No such file', code: 1 } },
    onApply: (script, f) => {
      if (script.includes('/etc/motd')) f.answer('cat /etc/motd', 'hello\n');
    },
  });
  const task = hasLine({ path: '/etc/motd', line: 'hello' });
  const first = await fake.run([task]);
  t.deepEqual(first.statuses, ['changed']);
  t.deepEqual(first.results[0].changes, ['create /etc/motd']);
  t.deepEqual(first.applied, ["printf '%s\\n' hello >> /etc/motd"]);
  t.is(first.execs, 2);
  const second = await fake.run([task]);
  t.deepEqual(second.statuses, ['ok']);
  t.deepEqual(second.applied, []);
});

test('a later task plans from facts read after the earlier apply (the executor refreshes them in the same exec)', async (t) => {
  let content = '';
  const fake = fakeHost({
    facts: (cmd) => (cmd === 'cat /x' ? content : undefined),
    onApply: (script) => void (content += /' (\S+) >>/.exec(script)![1] + '\n'),
  });
  const r = await fake.run([hasLine({ path: '/x', line: 'a' }), hasLine({ path: '/x', line: 'a' }), hasLine({ path: '/x', line: 'b' })]);
  t.deepEqual(r.statuses, ['changed', 'ok', 'changed']);
  t.is(content, 'a\nb\n');
  t.is(r.execs, 3);
});

test('check mode plans the change and applies nothing', async (t) => {
  const fake = fakeHost({ facts: { 'cat /etc/motd': 'other\n' } });
  const r = await fake.run([hasLine({ path: '/etc/motd', line: 'hello' })], { check: true });
  t.deepEqual(r.statuses, ['changed']);
  t.deepEqual(fake.applied, []);
  t.is(r.execs, 1);
});

test('a fact command without an answer fails the task, naming the command', async (t) => {
  const fake = fakeHost({ facts: {} });
  const r = await fake.run([hasLine({ path: '/etc/motd', line: 'x' })]);
  t.false(r.ok);
  t.deepEqual(r.statuses, ['failed']);
  t.regex(r.results[0].error!.message, /no answer for the fact command:\ncat \/etc\/motd/);
});

test('a failing apply fails the task with its display and stderr; the list stops', async (t) => {
  const fake = fakeHost({ facts: () => ({ code: 1 }), onApply: () => ({ stderr: 'disk full', code: 1 }) });
  const r = await fake.run([hasLine({ path: '/a', line: 'x' }), hasLine({ path: '/b', line: 'x' })]);
  t.false(r.ok);
  t.deepEqual(r.statuses, ['failed']);
  t.regex(r.results[0].error!.message, /append to \/a/);
  t.regex(JSON.stringify(r.results[0].error!.details), /disk full/);
});

test('a non-root login runs the task through sudo', async (t) => {
  const fake = fakeHost({ facts: () => 'x\n' });
  await runOn(fake, [hasLine({ path: '/a', line: 'x' })], { user: 'deploy' });
  t.true(fake.execs[0].sudo);
  t.regex(fake.execs[0].command, /^sudo -n /);
  const root = fakeHost({ facts: () => 'x\n' });
  await root.run([hasLine({ path: '/a', line: 'x' })]);
  t.false(root.execs[0].sudo);
});

test('parseFramedScript gives back the steps frameSteps framed, multi-line and hostile ones included', (t) => {
  const scripts = ['echo one', "printf '%s' \"$(cat /x)\"\necho ') </dev/null'", 'exit 3'];
  const framed = frameSteps([
    { script: scripts[0], errexit: false, stopOnFailure: false },
    { script: scripts[1], errexit: true, stopOnFailure: true },
    { script: scripts[2], errexit: true, stopOnFailure: false },
  ], { stopOnFailure: false, errexit: false });
  t.deepEqual(parseFramedScript(framed.script), [
    { script: scripts[0], kind: 'fact', stopOnFailure: false },
    { script: scripts[1], kind: 'apply', stopOnFailure: true },
    { script: scripts[2], kind: 'apply', stopOnFailure: false },
  ]);
  t.deepEqual(parseFramedScript(''), []);
});

test('pluginContext runs the plugins contribute hooks in order on an empty site model', (t) => {
  const upstream = definePlugin({ name: 'up', contribute: (site) => void (site.upstream = { protocol: 'http', address: '127.0.0.1:8000' }) });
  const second = definePlugin({ name: 'second', contribute: (site) => void site.reloadUnits.push(site.upstream!.address) });
  const ctx = pluginContext({ plugins: [upstream, second], hostname: 'web-9' });
  t.deepEqual(ctx.site.serverNames, ['web-9']);
  t.deepEqual(ctx.site.reloadUnits, ['127.0.0.1:8000']);
  t.is(ctx.env, 'test');
});

test('attach to a set that is not up fails with the command that boots it', async (t) => {
  const e = await t.throwsAsync(attach('nosuchsetatall'));
  t.regex(e!.message, /test host set nosuchsetatall is not up .*npm run hosts:up -- --set nosuchsetatall/s);
});
