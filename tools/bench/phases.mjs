/**
 * Preloaded into a Runbook run by `bench --phases` (node --import): times each host's connection
 * (SshConnection.connect: TCP, key exchange, host key check, the wait for planning, the login) and its
 * execs, and at exit writes a summary to $RUNBOOK_BENCH_PHASES. Times are ms since the process started.
 * Plain JS: it is loaded before the CLI, without tsx.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const out = process.env.RUNBOOK_BENCH_PHASES;
const repo = path.resolve(import.meta.dirname, '../..');
// the CLI resolves @runbook/core to this same file (workspace symlink, real path): one module instance
const { SshConnection } = await import(path.join(repo, 'plugins/core/dist/index.js'));

const now = () => performance.now();
const hosts = new Map(); // alias -> { connectStart, loggedIn, execStart, execEnd, execMs }
const host = (alias) => hosts.get(alias) ?? hosts.set(alias, { execMs: 0 }).get(alias);

const connect = SshConnection.connect;
SshConnection.connect = async function (target, opts) {
  const h = host(target.alias);
  h.connectStart = now();
  const conn = await connect.call(this, target, opts);
  h.loggedIn = now();
  return conn;
};
const exec = SshConnection.prototype.exec;
SshConnection.prototype.exec = async function (command, opts) {
  const h = host(this.alias);
  const t = now();
  h.execStart ??= t;
  try {
    return await exec.call(this, command, opts);
  } finally {
    h.execEnd = now();
    h.execMs += h.execEnd - t;
  }
};

const median = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const max = (xs) => Math.max(...xs.filter((x) => x !== undefined));
const min = (xs) => Math.min(...xs.filter((x) => x !== undefined));

process.on('exit', () => {
  if (!out) return;
  const hs = [...hosts.values()];
  const exit = now();
  fs.writeFileSync(out, JSON.stringify({
    hosts: hs.length,
    firstConnect: min(hs.map((h) => h.connectStart)),
    lastConnect: max(hs.map((h) => h.connectStart)),
    firstLogin: min(hs.map((h) => h.loggedIn)),
    lastLogin: max(hs.map((h) => h.loggedIn)),
    medianConnectMs: median(hs.map((h) => h.loggedIn - h.connectStart)),
    medianExecMs: median(hs.map((h) => h.execMs)),
    lastExecEnd: max(hs.map((h) => h.execEnd)),
    exit,
  }));
});
