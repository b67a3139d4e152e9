/**
 * Under --check nothing is applied, so every task plans from the host as it was before the run. A task
 * after a predicted change may then find its object missing (the unit of a package not installed yet):
 * it throws MissingObject, and once the host's run has predicted a change before it, that is reported as
 * the change it would make instead of a failure. With no change before it, nothing in the run could have
 * made the object: it fails as in a real run. Likewise a no-op that says which of its facts an earlier
 * change may alter (`NoChange.ifEarlierChanges`, a command guard) is reported as the change it names.
 */
import { MissingObject } from './errors.js';
import type { HostRunContext } from './run-task.js';
import { changes, isNoop, type Plan } from './task.js';

// per host, across the run's task lists (the runner passes one context per host for the whole run)
const predicted = new WeakMap<HostRunContext, number>();

/** Counts a change predicted under --check on this host. */
export function notePredictedChange(host: HostRunContext): void {
  predicted.set(host, (predicted.get(host) ?? 0) + 1);
}

/** The change to report instead of error `e` under --check, or undefined when `e` is a failure. */
export function predictionFor(e: unknown, host: HostRunContext): string[] | undefined {
  if (!host.check || !(e instanceof MissingObject) || !predicted.get(host)) return undefined;
  return [...e.predicted, `${e.object} is not on the host yet: expected from an earlier change`];
}

/** The plan to report under --check: a no-op whose reason an earlier predicted change may undo becomes that change. */
export function predictedPlan(p: Plan, host: HostRunContext): Plan {
  if (!host.check || !isNoop(p) || !p.ifEarlierChanges?.length || !predicted.get(host)) return p;
  return changes(p.ifEarlierChanges, p.report ? { report: p.report } : {});
}
