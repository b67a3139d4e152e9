// The registry itself: our names are never looked up upstream, every other name is (so `npm install
// --registry <url>` alone resolves third-party dependencies), and stop() leaves nothing behind.
// Needs the npm registry.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRegistry } from '../src/index.js';

const run = promisify(execFile);

test('@runbook/* and create-runbook are local only; other packages are proxied to npmjs; stop() ends it', async (t) => {
  const registry = await startRegistry();
  t.regex(registry.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  try {
    // @runbook/core exists on no registry we know of, and must not be fetched from one: 404 here
    t.is((await fetch(new URL('@runbook%2fcore', registry.url))).status, 404);
    t.is((await fetch(new URL('create-runbook', registry.url))).status, 404);
    const proxied = await fetch(new URL('is-number', registry.url));
    t.is(proxied.status, 200);
    const body = (await proxied.json()) as { versions: Record<string, unknown> };
    t.truthy(body.versions['7.0.0'], 'a third-party package is served through the uplink');
    // its tarball comes through the registry too
    const { stdout } = await run('npm', ['view', 'is-number@7.0.0', 'dist.tarball', '--registry', registry.url]);
    t.true(stdout.trim().startsWith(registry.url), stdout);
  } finally {
    await registry.stop();
  }
  await t.throwsAsync(fetch(registry.url), undefined, 'the registry still answers after stop()');
});

test('two registries at once get ports and storage of their own', async (t) => {
  const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  try {
    t.not(a.url, b.url);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
