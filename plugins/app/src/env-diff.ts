/**
 * What changed in a .env, by key, values never shown: the `.env` is a Secret (its values are the env's
 * secrets), so a line diff cannot be shown, but its keys can be reviewed:
 * `+ NEW_KEY=••••••`, `~ DEBUG: changed`, `- OLD_KEY`.
 */
import { parseDotenv } from '@runbook/core';

export interface EnvKeyChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

/** The values of a .env text, or undefined when it is not one (then nothing is said about its keys). */
export function readEnvText(text: string): Record<string, string> | undefined {
  try {
    return parseDotenv(text, '.env');
  } catch {
    return undefined;
  }
}

export function envKeyChanges(before: Record<string, string>, after: Record<string, string>): EnvKeyChanges {
  const keys = Object.keys(after);
  return {
    added: keys.filter((k) => !(k in before)),
    changed: keys.filter((k) => k in before && before[k] !== after[k]),
    removed: Object.keys(before).filter((k) => !(k in after)),
  };
}

export const MASK = '••••••';

/** The --diff text: one line per key, in the new file's order, then the removed ones. */
export function envKeyDiff(path: string, c: EnvKeyChanges): string {
  const lines = [
    ...c.added.map((k) => `+ ${k}=${MASK}`),
    ...c.changed.map((k) => `~ ${k}: changed`),
    ...c.removed.map((k) => `- ${k}`),
  ];
  return `${path} (keys; values hidden):\n${lines.length ? lines.join('\n') : '  no key added, changed or removed (comments or order only)'}\n`;
}

/** One line for the plan: `.env: +NEW_KEY, ~DEBUG, -OLD_KEY`. */
export function envKeySummary(c: EnvKeyChanges): string {
  const parts = [...c.added.map((k) => `+${k}`), ...c.changed.map((k) => `~${k}`), ...c.removed.map((k) => `-${k}`)];
  return parts.length ? parts.join(', ') : 'no key changed';
}
