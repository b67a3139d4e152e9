/**
 * The kit on a real test host: boot a set, attach to it from a second harness (which leaves it up on
 * close), assertIdempotent passing for an idempotent plugin and failing — with the changed task in its
 * message — for one that changes something every run. Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { definePlugin } from '@runbook/core';
import { attach, assertIdempotent, boot, checkoutSet, runTwice, type Harness } from '../src/index.js';
import { always, marker } from './fixture-tasks.js';

const SET = checkoutSet('ittestkit');
let h: Harness;

test.before(async () => {
  h = await boot(SET);
});
test.after.always(async () => {
  await h?.close();
});

const idempotent = definePlugin({ name: 'marker', configure: () => [marker({ path: '/etc/rb-kit-marker', content: 'kit' })] });
const restless = definePlugin({ name: 'restless', configure: () => [always({})] });

test.serial('assertIdempotent passes for an idempotent plugin, through a harness attached to the booted set', async (t) => {
  const a = await attach(SET);
  t.deepEqual(a.hosts.hosts.map((x) => x.name), h.hosts.hosts.map((x) => x.name));
  const { first, second } = await assertIdempotent(t, a, [idempotent]);
  t.is(first.changed, 1);
  t.is(second.changed, 0);
  await a.close();
  // attach's close left the hosts up: the booting harness still reaches them
  t.is(await h.ssh('cat /etc/rb-kit-marker'), 'kit');
});

test.serial('assertIdempotent fails, naming the task that changed on the second run', async (t) => {
  const attempt = await t.try((tt) => assertIdempotent(tt, h, [restless]));
  const { passed } = attempt;
  const message = attempt.errors.map((e) => e.message).join('\n');
  attempt.discard();
  t.false(passed);
  t.regex(message, /second run changed something/);
  t.regex(message, /always changes/);
  const { second } = await runTwice(h, [restless]);
  t.is(second.changed, 1);
});
