#!/usr/bin/env node
// runbook-testhosts build | up | down | status
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildRootfs } from './rootfs.js';
import { up } from './up.js';
import { down } from './down.js';
import { status } from './status.js';
import { writeInventory } from './setfiles.js';
import { checkRelease, RELEASES } from './paths.js';

const HELP = `usage: runbook-testhosts <command> [options]

  build [--release R] [--force]  build (or verify) the cached Debian rootfs of release R
  up --count N [--set local] [--release R] [--inventory PATH] [--user deploy|root] [--timeout SECONDS] [--capability CAP_NET_ADMIN …]
                                boot N disposable hosts; for the set "local" also write the
                                inventory (default <repo>/inventories/local.yml) and its ssh config
  down [--set S]                stop one set, or (no --set) every set, the apt proxy and the bridge
  status                        list sets, hosts, proxy and bridge

releases: ${RELEASES.join(', ')} (default ${RELEASES[0]})

cache: $RUNBOOK_TESTHOSTS_CACHE (default /var/cache/runbook-testhosts)
state: $RUNBOOK_TESTHOSTS_STATE (default /var/lib/runbook-testhosts)`;

/** The repository root is the nearest directory up from here (or the cwd) holding nx.json. */
function repoRoot(): string | undefined {
  for (const start of [process.cwd(), path.dirname(new URL(import.meta.url).pathname)]) {
    for (let d = start; ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, 'nx.json'))) return d;
      if (d === path.dirname(d)) break;
    }
  }
  return undefined;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      count: { type: 'string', short: 'n' },
      set: { type: 'string' },
      release: { type: 'string' },
      inventory: { type: 'string' },
      user: { type: 'string' },
      timeout: { type: 'string' },
      capability: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const cmd = positionals[0];
  if (values.help || !cmd) { console.log(HELP); return; }
  const log = (s: string) => console.log(s);
  switch (cmd) {
    case 'build': {
      const r = await buildRootfs({ release: checkRelease(values.release), force: values.force, log });
      console.log(`rootfs ${r.action} in ${r.seconds.toFixed(1)}s: ${r.rootfs} (tarball ${r.tarball})`);
      return;
    }
    case 'up': {
      const count = Number(values.count);
      if (!values.count || !Number.isInteger(count) || count < 1) throw new Error('up needs --count N (N ≥ 1)');
      const user = values.user ?? 'deploy';
      if (user !== 'deploy' && user !== 'root') throw new Error('--user must be deploy or root');
      const set = values.set ?? 'local';
      const t0 = Date.now();
      const hs = await up({ set, count, release: checkRelease(values.release), log, capabilities: values.capability, timeoutMs: values.timeout ? Number(values.timeout) * 1000 : undefined });
      console.log(`${hs.hosts.length} ${hs.release} hosts of set ${set} ready in ${((Date.now() - t0) / 1000).toFixed(1)}s; ssh -F ${hs.sshConfigFile} ${hs.hosts[0].name}`);
      let inv = values.inventory;
      if (!inv && set === 'local') {
        const root = repoRoot();
        if (root) inv = path.join(root, 'inventories', 'local.yml');
      }
      if (inv) {
        const w = writeInventory(set, path.resolve(inv), { user });
        console.log(`inventory ${w.inventory} (ssh config ${w.sshConfig})`);
      }
      return;
    }
    case 'down': {
      await down({ set: values.set });
      console.log(values.set ? `set ${values.set} down` : 'all sets down; apt proxy stopped; bridge removed');
      return;
    }
    case 'status': {
      const s = await status();
      for (const set of s.sets) {
        for (const h of set.hosts) console.log(`${set.set}\t${h.name}\t${h.address}\tpid ${h.pid ?? '-'}\t${h.running ? 'running' : 'dead'}`);
      }
      if (!s.sets.length) console.log('no hosts');
      console.log(`apt proxy: ${s.proxy.running ? `running (pid ${s.proxy.pid})` : 'stopped'}; bridge: ${s.bridge ? 'up' : 'absent'}`);
      return;
    }
    default:
      throw new Error(`unknown command ${cmd}\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`runbook-testhosts: ${e.message}`);
  process.exitCode = 1;
});
