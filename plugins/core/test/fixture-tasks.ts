/** Task types for the engine's own tests: small, real shell, easy to reason about. */
import { quote } from '../src/quote.js';
import { changes, defineTask, noop } from '../src/task.js';

/** Creates a file when it is missing; its fact is whether the file exists. */
export const touch = defineTask<{ path: string }, { exists: boolean }, unknown>({
  name: 'test.touch',
  describe: (o) => o.path,
  facts: (o) => ({ exists: { command: `test -e ${quote(o.path)}`, parse: (r) => r.code === 0 } }),
  check: (f, o) => (f.exists ? noop('exists') : changes([`create ${o.path}`])),
  apply: (_p, o) => [{ script: `touch ${quote(o.path)}`, display: `touch ${o.path}` }],
});

/** `touch` that declares its resource key, so the engine may apply it together with other changes. */
export const touchKeyed = defineTask<{ path: string }, { exists: boolean }, unknown>({
  ...touch.type,
  name: 'test.touchKeyed',
  touches: (o) => [`path:${o.path}`],
});
