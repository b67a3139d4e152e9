/**
 * server on a real Debian test host (@runbook/testhosts through @runbook/testing): configure twice
 * (the second run changes nothing), the effect checked over ssh, and check mode reporting a manual edit.
 * Fails (never skips) when the host cannot boot. Set name: itserver (unique per test file).
 */
import test from 'ava';
import { assertIdempotent, boot, explain, type Harness } from '@runbook/testing';
import { server } from '../src/index.js';

let h: Harness;

test.before(async () => {
  h = await boot('itserver');
});
test.after.always(async () => {
  await h?.close();
});

test.serial('configure twice: the second run changes nothing; the file is on the host', async (t) => {
  const { first } = await assertIdempotent(t, h, [server({ greeting: 'hello from the test' })]);
  t.true(first.changed > 0, explain(first));
  t.is(await h.ssh('cat /etc/server/greeting'), 'hello from the test');
  t.is(await h.ssh('stat -c %a /etc/server/greeting'), '644');
});

test.serial('check mode reports a manual edit with a diff and changes nothing; a run puts it back', async (t) => {
  await h.ssh("echo 'edited by hand' > /etc/server/greeting");
  const check = await h.configure([server({ greeting: 'hello from the test' })], { check: true, diff: true });
  t.is(check.result.exitCode, 2, explain(check)); // 2: changes pending
  const task = check.tasks.find((e) => e.task === 'server.greeting');
  t.is(task?.status, 'changed');
  t.regex(task?.diff ?? '', /-edited by hand\n\+hello from the test/);
  t.is(await h.ssh('cat /etc/server/greeting'), 'edited by hand');
  const fix = await h.configure([server({ greeting: 'hello from the test' })]);
  t.is(fix.changed, 1, explain(fix));
  t.is(await h.ssh('cat /etc/server/greeting'), 'hello from the test');
});
