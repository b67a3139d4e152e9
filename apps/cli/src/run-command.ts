/** `run <playbook> --env E`, `run hosts --env E`, `run history --env E` and `run report [RUN]`. */
import {
  checkKeys, errors, ExitCode, RunbookError, fleetOf, listEnvs, loadConfig, loadInventory, loadPlaybook, loadSecrets, maskedSink, parseExtraVars, runPlaybook, selectHosts,
  type Connection, type EventSink, type HostSpec, type RunHost, type SshOptions,
} from '@runbook/core';
import type { CliArgs } from './args.js';
import { connectHost } from './connect-host.js';
import { interrupts, type Interrupts } from './interrupts.js';
import { jsonReporter } from './reporters/json.js';
import { plainReporter } from './reporters/plain.js';
import { gitCommit, openRunLog, type RunLog } from './run-log.js';

const toRunHost = (h: HostSpec, env: string): RunHost => ({
  alias: h.alias, hostname: h.hostname, user: h.user, port: h.port, groups: h.groups, vars: h.vars, varsFrom: h.varsFrom, env, become: h.become,
});

async function reporter(args: CliArgs): Promise<{ sink: EventSink; done(): Promise<void> }> {
  if (args.json) return { sink: jsonReporter(), done: async () => {} };
  if (process.stdout.isTTY && !process.env.CI) {
    const { ttyReporter } = await import('./reporters/tty.js');
    return ttyReporter(args);
  }
  return { sink: plainReporter(args), done: async () => {} };
}

export async function runCommand(args: CliArgs, cwd = process.cwd(), argv = process.argv.slice(2)): Promise<number> {
  const config = await loadConfig({ cwd, env: args.env ?? '', file: args.config });
  if (args.command === 'report') {
    const { reportCommand } = await import('./report-command.js');
    return reportCommand(config.root, args.run);
  }
  if (!args.env) {
    const envs = await listEnvs(config.inventoryDir);
    throw errors.usage(`--env is required; envs that exist: ${envs.join(', ') || `(none in ${config.inventoryDir})`}`);
  }
  if (args.command === 'history') {
    const { historyCommand } = await import('./history-command.js');
    const { readEnvAudits } = await import('./history-hosts.js');
    const env = args.env;
    return historyCommand(config.root, env, args, () => readEnvAudits(config, env, args.limit, { hostKeyPolicy: args.hostKey, projectKnownHosts: config.knownHosts }));
  }
  const inventory = await loadInventory({
    dir: config.inventoryDir, env: args.env, configVars: config.vars, extraVars: parseExtraVars(args.extraVars),
  });
  // keys are looked for on the selected hosts only: another env's missing key is no concern of this run
  const keys = await checkKeys(selectHosts(inventory, args.limit));
  for (const w of keys.warnings) process.stderr.write(`run: warning: ${w}\n`);
  const hosts = keys.hosts;

  if (args.command === 'hosts') {
    // a listing connects to nothing: a missing key is worth a warning, not a failure
    for (const p of keys.problems) process.stderr.write(`run: warning: ${p.toString()}; a run on this host fails\n`);
    printHosts(hosts, args.json);
    return 0;
  }
  if (keys.problems.length) throw keys.problems[0];

  const sshOptions: SshOptions = { hostKeyPolicy: args.hostKey, projectKnownHosts: config.knownHosts };
  // all hosts at once (no --serial, no smaller --forks): connect now, log in once every task is planned
  let stop: Interrupts | undefined;
  let log: RunLog | undefined;
  const commit = gitCommit(config.root);
  const early = !args.serial && (args.forks === undefined || args.forks >= hosts.length) ? connectEarly(hosts, sshOptions) : undefined;
  try {
    const { playbook } = await loadPlaybook(args.command, config.playbookDir, cwd);
    const secrets = await loadSecrets(config, args.env);
    const out = await reporter(args);
    stop = interrupts(args.env);
    log = openRunLog({
      root: config.root, env: args.env, playbook: args.command, hosts: hosts.map((h) => h.alias), check: args.check, argv, commit: await commit,
    });
    const specs = new Map(hosts.map((h) => [h.alias, h]));
    const result = await runPlaybook({
      playbook,
      context: { env: args.env, config, secrets, options: { rollbackTo: args.to }, fleet: fleetOf(inventory.hosts, new Set(specs.keys())) },
      hosts: hosts.map((h) => toRunHost(h, args.env!)),
      connect: (h) => early?.take(h.alias) ?? connectHost(specs.get(h.alias)!, sshOptions),
      planned: () => early?.login(),
      emit: maskedSink(stop.watch(out.sink), log.sink),
      interrupted: stop.signal,
      check: args.check,
      diff: args.diff,
      tags: args.tags,
      skipTags: args.skipTags,
      forks: args.forks,
      serial: args.serial,
      maxFail: args.maxFail,
    });
    await out.done().catch(() => {});
    log.finish({ exitCode: stop.exitCode(result.exitCode), interrupted: result.interrupted ?? stop.signal(), aborted: result.aborted });
    log = undefined;
    if (result.unfinished?.length) {
      process.stderr.write(`run: these hosts did not finish their unlock, a deploy lock may be left: ${result.unfinished.join(', ')}. Release it with: run unlock --env ${args.env}\n`);
    }
    return stop.exitCode(result.exitCode);
  } catch (e) {
    log?.finish({ exitCode: e instanceof RunbookError && e.isBadInput ? ExitCode.badInput : ExitCode.failed, interrupted: stop?.signal(), error: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    stop?.dispose();
    early?.abandon();
  }
}

/**
 * Connections started before the playbook is loaded: TCP, the key exchange and the host key check run
 * while the playbook loads and every host's tasks are built, which is most of a small run's wall time.
 * The logins wait until `login()` (so a bad option still fails before anyone logs in to a host), and
 * are abandoned if it never comes. A connection that failed while its login waited is tried once more
 * when taken (a vault password prompt may outlast sshd's LoginGraceTime).
 */
function connectEarly(hosts: HostSpec[], opts: SshOptions) {
  let open!: () => void;
  let refuse!: (e: Error) => void;
  const gate = new Promise<void>((res, rej) => { open = res; refuse = rej; });
  gate.catch(() => {});
  let opened = false;
  const pending = new Map(hosts.map((h) => {
    const entry = { spec: h, p: connectHost(h, { ...opts, loginAfter: gate }), failedWaiting: false };
    entry.p.catch(() => void (entry.failedWaiting = !opened));
    return [h.alias, entry] as const;
  }));
  return {
    login() {
      opened = true;
      open();
    },
    take(alias: string): Promise<Connection> | undefined {
      const e = pending.get(alias);
      if (!e) return undefined;
      pending.delete(alias);
      // a failure before the logins were let through may be the wait's (sshd gave up): once more, now
      return e.p.catch((err) => (e.failedWaiting ? connectHost(e.spec, opts) : Promise.reject(err)));
    },
    /** closes what was never taken; logins that still wait give up */
    abandon() {
      if (!opened) refuse(new Error('the run stopped before connecting'));
      for (const { p } of pending.values()) p.then((c) => c.close(), () => {});
      pending.clear();
    },
  };
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
