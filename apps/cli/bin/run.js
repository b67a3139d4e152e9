#!/usr/bin/env node
// The `run` command's entry point. It is committed (not build output, and executable in git) so that
// `npm ci` always links node_modules/.bin/run, even in a fresh clone where dist/ is not built yet: an
// unlinked `run` makes `npx run` look for a stranger's package of that name on the registry.
// No fallback to the TypeScript source through tsx: the CLI imports @runbook/core and the plugins through
// their dist/ as well, so an unbuilt clone needs the whole build, and a published package has no tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    `run: error: ${fileURLToPath(cli)} does not exist: Runbook is not built yet. ` +
      'Run `npm run build` (or `make build`) at the root of the repository, then try again.\n',
  );
  process.exit(1);
}
await import(cli.href);
