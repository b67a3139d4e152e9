/**
 * Where celery beat runs: one host per env, or the same periodic task would be sent once per host.
 * The first host celery is placed on (inventory order), or the first of those that `beat.on` names.
 * Decided over the whole fleet, not the --limit, so a run on some hosts does not move beat.
 */
import { errors, placedHosts, type FleetHost, type PluginContext } from '@runbook/core';
import type { ResolvedCeleryOptions } from './celery-options.js';

type Ctx = Pick<PluginContext, 'alias' | 'fleet' | 'hostsWith'>;

/** The beat host of the env; undefined without beat, or outside an env (then this host runs it). */
export function beatHostOf(o: ResolvedCeleryOptions, ctx: Ctx): FleetHost | undefined {
  if (!o.beat) return undefined;
  // a context made without a fleet (hooks called by hand) is a single host
  const celeryHosts = ctx.hostsWith?.('celery') ?? [];
  if (!celeryHosts.length) return undefined;
  if (o.beat.on === undefined) return celeryHosts[0];
  const named = placedHosts(ctx.fleet, o.beat.on, 'celery: beat.on').filter((h) => celeryHosts.some((c) => c.alias === h.alias));
  if (!named.length) {
    throw errors.config(
      `celery: beat.on ${JSON.stringify(o.beat.on)} names no host celery runs on (celery runs on ${celeryHosts.map((h) => h.alias).join(', ')})`,
      { key: 'beat.on' },
    );
  }
  return named[0];
}

/** Whether this host runs beat. */
export const runsBeat = (o: ResolvedCeleryOptions, ctx: Ctx): boolean => Boolean(o.beat) && (beatHostOf(o, ctx)?.alias ?? ctx.alias) === ctx.alias;
