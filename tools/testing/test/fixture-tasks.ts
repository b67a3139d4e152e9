/** Two tiny tasks for the kit's own integration test. */
import { changes, defineTask, noop, quote } from '@runbook/core';

/** A file with fixed content, written when it differs. */
export const marker = defineTask<{ path: string; content: string }, { content: string | null }, unknown>({
  name: 'kit.marker',
  describe: (o) => o.path,
  facts: (o) => ({ content: { command: `cat ${quote(o.path)}`, parse: (r) => (r.code === 0 ? r.stdout : null) } }),
  check: (f, o) => (f.content === o.content ? noop('up to date') : changes([`write ${o.path}`])),
  apply: (_p, o) => [{ script: `printf %s ${quote(o.content)} > ${quote(o.path)}`, display: `write ${o.path}` }],
});

/** Never idempotent: the counter-example. */
export const always = defineTask<Record<string, never>, Record<string, never>, unknown>({
  name: 'kit.always',
  describe: () => 'always changes',
  facts: () => ({}),
  check: () => changes(['touch /tmp/rb-kit-always']),
  apply: () => [{ script: 'touch /tmp/rb-kit-always', display: 'touch /tmp/rb-kit-always' }],
});
