/** `run <playbook> --env E` and `run hosts --env E`. */
import {
  errors, listEnvs, loadConfig, loadInventory, loadPlaybook, loadSecrets, maskedSink, parseExtraVars, runPlaybook, selectHosts,
  type EventSink, type HostSpec, type RunHost,
} from '@runbook/core';
import type { CliArgs } from './args.js';
import { connectHost } from './connect-host.js';
import { jsonReporter } from './reporters/json.js';
import { plainReporter } from './reporters/plain.js';

const toRunHost = (h: HostSpec, env: string): RunHost => ({
  alias: h.alias, hostname: h.hostname, user: h.user, groups: h.groups, vars: h.vars, env, become: h.become,
});

async function reporter(args: CliArgs): Promise<{ sink: EventSink; done(): Promise<void> }> {
  if (args.json) return { sink: jsonReporter(), done: async () => {} };
  if (process.stdout.isTTY && !process.env.CI) {
    const { ttyReporter } = await import('./reporters/tty.js');
    return ttyReporter(args);
  }
  return { sink: plainReporter(args), done: async () => {} };
}

export async function runCommand(args: CliArgs, cwd = process.cwd()): Promise<number> {
  const config = await loadConfig({ cwd, env: args.env ?? '', file: args.config });
  if (!args.env) {
    const envs = await listEnvs(config.inventoryDir);
    throw errors.usage(`--env is required; envs that exist: ${envs.join(', ') || `(none in ${config.inventoryDir})`}`);
  }
  const inventory = await loadInventory({
    dir: config.inventoryDir, env: args.env, configVars: config.vars, extraVars: parseExtraVars(args.extraVars),
  });
  const hosts = selectHosts(inventory, args.limit);

  if (args.command === 'hosts') {
    printHosts(hosts, args.json);
    return 0;
  }

  const { playbook } = await loadPlaybook(args.command, config.playbookDir, cwd);
  const secrets = await loadSecrets(config.secretsDir, args.env);
  const out = await reporter(args);
  const specs = new Map(hosts.map((h) => [h.alias, h]));
  const result = await runPlaybook({
    playbook,
    context: { env: args.env, config, secrets, options: { rollbackTo: args.to } },
    hosts: hosts.map((h) => toRunHost(h, args.env!)),
    connect: (h) => connectHost(specs.get(h.alias)!, { hostKeyPolicy: args.hostKey, projectKnownHosts: config.knownHosts }),
    emit: maskedSink(out.sink),
    check: args.check,
    diff: args.diff,
    tags: args.tags,
    skipTags: args.skipTags,
    forks: args.forks,
    serial: args.serial,
    maxFail: args.maxFail,
  });
  await out.done();
  return result.exitCode;
}

function printHosts(hosts: HostSpec[], json: boolean): void {
  if (json) {
    for (const h of hosts) {
      process.stdout.write(JSON.stringify({ alias: h.alias, hostname: h.hostname, port: h.port, user: h.user, groups: h.groups, proxyJump: h.proxyJump.map((j) => j.alias) }) + '\n');
    }
    return;
  }
  const rows = hosts.map((h) => [h.alias, `${h.hostname}${h.port === 22 ? '' : `:${h.port}`}`, h.user, h.groups.filter((g) => g !== 'all').join(',') || '-', h.proxyJump.map((j) => j.alias).join('>') || '']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...['ALIAS', 'ADDRESS', 'USER', 'GROUPS'].map((s, j) => (j === i ? s.length : 0)), ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c ? `via ${c}` : '')).join('  ').trimEnd();
  process.stdout.write([line(['ALIAS', 'ADDRESS', 'USER', 'GROUPS', '']), ...rows.map(line)].join('\n') + '\n');
}
