/**
 * Table tests without a host: options, the plugin's task list, and the example task's facts → check →
 * apply through core's executor on a fake host (@runbook/testing's fakeHost answers the fact commands
 * and records what would be applied).
 */
import test from 'ava';
import { fakeHost, pluginContext } from '@runbook/testing';
import { greeting, server } from './index.js';

const FILE = '/etc/server/greeting';
const READ = `cat -- ${FILE}`;

test('bad options fail when the plugin is made, naming the key', (t) => {
  t.throws(() => server({ greeting: 'two\nlines' }), { message: /server: greeting must be a non-empty single-line string/ });
  t.throws(() => server({ dir: 'relative' }), { message: /server: dir must be an absolute path/ });
  t.throws(() => greeting({ path: 'x', text: 'hi' }), { message: /^server\.greeting: path must be an absolute path/ });
});

test('configure: the directory, then the greeting file', (t) => {
  const tasks = server({ greeting: 'hi' }).configure!(pluginContext());
  t.deepEqual(tasks.map((x) => [x.type.name, x.title]), [
    ['file.directory', '/etc/server'],
    ['server.greeting', FILE],
  ]);
});

const cases: { name: string; current: string | null; status: string; changes?: string[]; reason?: string; applies: number }[] = [
  { name: 'no file yet', current: null, status: 'changed', changes: [`create ${FILE}`], applies: 1 },
  { name: 'other text', current: 'old\n', status: 'changed', changes: [`rewrite ${FILE}`], applies: 1 },
  { name: 'same text without a newline', current: 'hi', status: 'changed', changes: [`rewrite ${FILE}`], applies: 1 },
  { name: 'up to date', current: 'hi\n', status: 'ok', reason: `${FILE} says "hi"`, applies: 0 },
];
for (const c of cases) {
  test(`greeting task: ${c.name}`, async (t) => {
    const host = fakeHost({ facts: { [READ]: c.current === null ? { stderr: 'No such file or directory', code: 1 } : c.current } });
    const r = await host.run([greeting({ path: FILE, text: 'hi' })]);
    t.deepEqual(r.statuses, [c.status]);
    t.deepEqual(r.results[0].changes, c.changes);
    t.is(r.results[0].reason, c.reason);
    t.is(r.applied.length, c.applies);
    if (c.applies) t.regex(r.applied[0], /mv -f -- "\$tmp" \/etc\/server\/greeting$/);
  });
}

test('check mode: a diff, nothing applied', async (t) => {
  const host = fakeHost({ facts: { [READ]: 'old\n' } });
  const r = await host.run([greeting({ path: FILE, text: 'hi' })], { check: true });
  t.deepEqual(r.statuses, ['changed']);
  t.is(r.results[0].diff, `--- ${FILE}\n+++ ${FILE}\n@@ -1 +1 @@\n-old\n+hi\n`);
  t.deepEqual(host.applied, []);
});

test('a text with shell in it reaches the host quoted', async (t) => {
  const host = fakeHost({ facts: { [READ]: { code: 1 } } });
  const r = await host.run([greeting({ path: FILE, text: `it's $(reboot)` })]);
  t.true(r.applied[0].includes(`printf %s 'it'\\''s $(reboot)\n' > "$tmp"`));
});
