/**
 * `server.greeting`: a file that holds one line of text — the example task. A task reads facts on the
 * host, `check` compares them with the wanted state (pure: no I/O), and `apply` carries out the plan with
 * guarded commands. A plan without changes says why (`noop(reason)`). The engine batches the facts of
 * many tasks into one round trip, so facts must not change anything on the host.
 * Replace it with your plugin's own tasks; compose @runbook/system's primitives where they fit.
 */
import { changes, defineTask, errors, noop, quote } from '@runbook/core';
import { unifiedDiff } from '@runbook/system';

export interface GreetingOptions {
  /**
   * Absolute path of the file (its directory must exist).
   * @example '/etc/server/greeting'
   */
  path: string;
  /**
   * The line of text (a newline is added).
   * @example 'hello'
   */
  text: string;
}

/** What the task reads on the host. */
interface GreetingFacts {
  /** the file's content, null when there is no file */
  current: string | null;
}

/** What `check` hands to `apply`. */
interface GreetingState {
  content: string;
}

export const greeting = defineTask<GreetingOptions, GreetingFacts, GreetingState>({
  name: 'server.greeting',
  describe: (o) => o.path,
  // runs when the task is made, before anything connects; defineTask prefixes the task name
  validate(o) {
    if (typeof o.path !== 'string' || !o.path.startsWith('/')) throw errors.options(`path must be an absolute path, got ${JSON.stringify(o.path)}`, { key: 'path' });
    if (typeof o.text !== 'string' || o.text.includes('\n')) throw errors.options(`text must be a single-line string, got ${JSON.stringify(o.text)}`, { key: 'text' });
  },
  facts: (o) => ({
    // a fact is a shell snippet and a parser of its stdout, stderr and exit status; every value that
    // reaches the shell goes through quote()
    current: { command: `cat -- ${quote(o.path)}`, parse: (r) => (r.code === 0 ? r.stdout : null) },
  }),
  check(f, o) {
    const content = `${o.text}\n`;
    if (f.current === content) return noop(`${o.path} says "${o.text}"`);
    return changes([f.current === null ? `create ${o.path}` : `rewrite ${o.path}`], {
      state: { content },
      diff: unifiedDiff(o.path, f.current ?? undefined, content),
    });
  },
  // what the facts read and apply changes: lets the engine batch this change with others that touch other keys
  touches: (o) => [`path:${o.path}`],
  apply: (p, o) => [
    {
      // atomic: a temp file next to the target, renamed over it (readers never see half a file)
      script: `tmp=$(mktemp ${quote(`${o.path}.rb.XXXXXX`)}) && printf %s ${quote(p.state!.content)} > "$tmp" && chmod 0644 "$tmp" && mv -f -- "$tmp" ${quote(o.path)}`,
      display: `write ${o.path}`,
    },
  ],
});
