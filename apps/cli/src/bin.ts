#!/usr/bin/env node
/**
 * The `run` command. `--version` and `--help` answer before anything heavy is loaded.
 */
import { readFileSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+: V8 keeps compiled code on disk, so later runs skip most of the parsing and compiling of
// Runbook, ssh2 and yaml (a no-op run is mostly startup); older Nodes have no such call
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--version') || argv.includes('-V')) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`runbook ${pkg.version}\n`);
    return 0;
  }
  const { parseCliArgs, usage } = await import('./args.js');
  const { RunbookError, ExitCode, mask } = await import('@runbook/core');
  try {
    if (argv[0] === 'vault') {
      const { vaultCommand } = await import('./vault-command.js');
      return await vaultCommand(argv.slice(1));
    }
    const args = parseCliArgs(argv);
    if (args.help || !args.command) {
      process.stdout.write(usage + '\n');
      return args.help ? 0 : ExitCode.badInput;
    }
    const { runCommand } = await import('./run-command.js');
    return await runCommand(args);
  } catch (e) {
    if (e instanceof RunbookError) {
      process.stderr.write(`run: error: ${mask(e.toString())}\n`);
      return e.isBadInput ? ExitCode.badInput : e.code === 'E_CONNECT' ? ExitCode.unreachable : ExitCode.failed;
    }
    process.stderr.write(`run: internal error: ${mask(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    return ExitCode.failed;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
