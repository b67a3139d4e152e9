/** The idempotence bar: a phase run twice changes nothing the second time. */
import type { ExecutionContext } from 'ava';
import type { Plugin } from '@runbook/core';
import { explain, type ConfigureOptions, type Harness, type Outcome } from './boot-test-host.js';

export interface Twice {
  first: Outcome;
  second: Outcome;
}

/** Runs configure twice with the same plugins and options; no assertion. */
export async function runTwice(h: Harness, plugins: Plugin[], opts: ConfigureOptions = {}): Promise<Twice> {
  const first = await h.configure(plugins, opts);
  const second = await h.configure(plugins, opts);
  return { first, second };
}

/**
 * Runs configure twice and asserts: both runs succeed (exit 0), and the second reports 0 changed tasks.
 * On failure the message is `explain()` of the run at fault (its failed and changed tasks).
 * With `check: true` both are check runs, and this asserts there is no drift (pending changes exit 2).
 */
export async function assertIdempotent(t: ExecutionContext, h: Harness, plugins: Plugin[], opts: ConfigureOptions = {}): Promise<Twice> {
  const twice = await runTwice(h, plugins, opts);
  t.is(twice.first.result.exitCode, 0, `first run failed: ${explain(twice.first)}`);
  t.is(twice.second.result.exitCode, 0, `second run failed: ${explain(twice.second)}`);
  t.is(twice.second.changed, 0, `second run changed something: ${explain(twice.second)}`);
  return twice;
}
