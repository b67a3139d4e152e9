/**
 * SSH connections through ssh2-promise: one per host for the whole run, reused by every task. Key files
 * (with passphrase from RUNBOOK_SSH_PASSPHRASE or a prompt), ssh-agent, ProxyJump chains (direct-tcpip
 * channels, nothing needed on the jump host), keepalive, connect timeout, strict host key checking.
 */
import { existsSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { newStats, type Connection, type ExecOptions, type ExecResult } from './connection.js';
import { errors, RunbookError } from './errors.js';
import { checkHostKey, knownHostsName, type HostKeyPolicy } from './known-hosts.js';
import { loadPrivateKey } from './private-key.js';

export type { HostKeyPolicy };

export interface SshEndpoint {
  alias: string;
  hostname: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** every known_hosts file to check, in order (an inventory host: UserKnownHostsFile or ~/.ssh/known_hosts, then the inventory's knownHosts); the project's file is added */
  knownHostsFiles: string[];
  strictHostKeyChecking?: HostKeyPolicy;
  hostKeyAlias?: string;
}

export interface SshTarget extends SshEndpoint {
  forwardAgent?: boolean;
  proxyJump?: SshEndpoint[];
  /** seconds */
  connectTimeout?: number;
  /** seconds */
  serverAliveInterval?: number;
}

export interface SshOptions {
  /** overrides every host's StrictHostKeyChecking (the --host-key flag) */
  hostKeyPolicy?: HostKeyPolicy;
  /** where accept-new records keys: the project's known_hosts */
  projectKnownHosts: string;
  /**
   * Log in only once this settles (rejected: give up). Connecting, the key exchange and the host key
   * check go on meanwhile: the CLI connects while the playbook loads and every task is planned, and
   * nobody logs in to a host before that succeeded.
   */
  loginAfter?: Promise<unknown>;
}

const defaultIdentities = () => ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f));

type SSH2PromiseCtor = typeof import('ssh2-promise');
let ssh2Promise: Promise<SSH2PromiseCtor> | undefined;
// loaded on first connect: `run --version` and `run hosts` never pay for ssh2
const loadSsh2Promise = () => (ssh2Promise ??= import('ssh2-promise').then((m) => (m.default ?? m) as SSH2PromiseCtor));

async function endpointConfig(ep: SshEndpoint, target: SshTarget, opts: SshOptions, hostKeyProblem: { error?: RunbookError }) {
  const files = ep.identityFiles.length ? ep.identityFiles : defaultIdentities().filter((f) => existsSync(f));
  const keys = await Promise.all(files.map((f) => loadPrivateKey(f, ep.alias)));
  const agent = !ep.identitiesOnly && process.env.SSH_AUTH_SOCK ? process.env.SSH_AUTH_SOCK : undefined;
  // IdentitiesOnly limits the keys offered for login, not forwarding (as in OpenSSH)
  const forward = Boolean(target.forwardAgent && process.env.SSH_AUTH_SOCK && ep === target);
  const policy = opts.hostKeyPolicy ?? ep.strictHostKeyChecking ?? 'yes';
  const name = knownHostsName(ep.hostKeyAlias ?? ep.hostname, ep.port);
  const knownFiles = [...ep.knownHostsFiles, opts.projectKnownHosts];
  const methods: object[] = [
    ...(agent ? [{ type: 'agent', username: ep.user, agent }] : []),
    ...keys.map((key) => ({ type: 'publickey', username: ep.user, key })),
  ];
  return {
    sock: undefined as Socket | undefined,
    host: ep.hostname,
    port: ep.port,
    username: ep.user,
    uniqueId: `${ep.user}@${ep.hostname}:${ep.port}`,
    agent: forward ? process.env.SSH_AUTH_SOCK : agent,
    agentForward: forward,
    authHandler: methods.length ? [...methods] : undefined,
    readyTimeout: (target.connectTimeout ?? 10) * 1000,
    keepaliveInterval: (target.serverAliveInterval ?? 15) * 1000,
    keepaliveCountMax: 3,
    reconnect: false,
    hoppingTool: 'native',
    hostVerifier: (key: Buffer) => {
      const problem = checkHostKey({ alias: ep.alias, name, files: knownFiles, policy, projectKnownHosts: opts.projectKnownHosts }, key);
      hostKeyProblem.error ??= problem;
      return !problem;
    },
  };
}

/**
 * Holds every hop's login until `loginAfter` settles. ssh2's own timeout would count the wait, so it is
 * replaced by ours: the connect timeout for reaching the point of login, and again from the gate's
 * opening to the end of the login (sshd's LoginGraceTime, 2 minutes by default, bounds the wait itself).
 */
function gateLogin(configs: { authHandler?: object[]; readyTimeout: number }[], loginAfter: Promise<unknown>, limitMs: number, sock: Socket) {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => sock.destroy(new Error('Timed out while waiting for handshake')), limitMs);
  };
  let opened = false;
  arm();
  for (const config of configs) {
    const methods = [...(config.authHandler ?? [])];
    config.readyTimeout = 0;
    (config as { authHandler?: unknown }).authHandler = (_left: unknown, _partial: unknown, next: (m: object | false) => void) => {
      if (!opened) clearTimeout(timer);
      loginAfter.then(
        () => {
          if (!opened) arm();
          opened = true;
          next(methods.shift() ?? false);
        },
        () => next(false),
      );
    };
  }
  return { done: () => clearTimeout(timer) };
}

export class SshConnection implements Connection {
  readonly stats = newStats();
  // `client` owns the hop chain; `session` is the connected last hop. Exec goes to `session` directly:
  // ssh2-promise's own wrappers reconnect per call when its cache is disabled.
  private lostReason?: string;
  private closing = false;
  private constructor(readonly alias: string, private readonly client: any, private readonly session: any) {
    // ssh2-promise says so when the last hop's connection ends (a hop before it going away ends it too)
    session.on?.('ssh:disconnect', (_self: unknown, payload?: { err?: { message?: string } }) => {
      if (!this.closing) this.lostReason ??= payload?.err?.message ? `connection lost: ${payload.err.message}` : 'the connection closed';
    });
  }

  get lost(): string | undefined {
    return this.lostReason;
  }

  private gone(): RunbookError {
    return errors.connect(this.alias, `lost the connection to ${this.alias} (${this.lostReason ?? 'the connection closed'})`);
  }

  static async connect(target: SshTarget, opts: SshOptions): Promise<SshConnection> {
    const started = Date.now();
    const hostKeyProblem: { error?: RunbookError } = {};
    const chain = [...(target.proxyJump ?? []), target];
    const configs = await Promise.all(chain.map((ep) => endpointConfig(ep, target, opts, hostKeyProblem)));
    const SSH2Promise = await loadSsh2Promise();
    // Our own socket to the first hop, with Nagle's algorithm off: ssh2 leaves it on, and then each
    // channel open after the first waits ~40 ms for a delayed ACK (an exec cost 45 ms instead of 3), and
    // the handshake's small packets wait the same way. It is made right before client.connect(), which
    // hands it to ssh2 synchronously, so ssh2 hears every socket event (errors, timeout) itself.
    const sock = tcpConnect({ host: configs[0].host, port: configs[0].port, noDelay: true });
    configs[0].sock = sock;
    const gate = opts.loginAfter && gateLogin(configs, opts.loginAfter, (target.connectTimeout ?? 10) * 1000, sock);
    const client = new SSH2Promise(configs as never, true);
    let session: unknown;
    try {
      session = await client.connect();
    } catch (e) {
      await client.close().catch(() => {});
      throw hostKeyProblem.error ?? classifyConnectError(target, e);
    } finally {
      gate?.done();
    }
    const conn = new SshConnection(target.alias, client, session);
    conn.stats.connectMs = Date.now() - started;
    return conn;
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.lostReason) throw this.gone();
    this.stats.execs++;
    this.stats.bytesSent += command.length + (opts.stdin?.length ?? 0);
    let stream: any;
    try {
      stream = await this.session.spawn(command);
    } catch (e) {
      // a channel refused on a connection that just went away
      await settle();
      if (this.lostReason || /not connected|no response|closed/i.test(String((e as Error)?.message ?? e))) {
        this.lostReason ??= 'the connection closed';
        throw this.gone();
      }
      throw e;
    }
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      stream.on('data', (b: Buffer) => out.push(b));
      stream.stderr.on('data', (b: Buffer) => err.push(b));
      stream.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s ?? undefined;
      });
      stream.on('error', reject);
      stream.on('close', async () => {
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        this.stats.bytesReceived += stdout.length + stderr.length;
        // no exit status at all: the channel died with the connection (its disconnect comes right after)
        if (code === null && !signal) await settle();
        if (code === null && !signal && this.lostReason) reject(this.gone());
        else resolve({ stdout, stderr, code, signal });
      });
      stream.end(opts.stdin ?? '');
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.close().catch(() => {});
  }
}

/** Lets a disconnect that races a channel's end be heard first. */
const settle = () => new Promise((r) => setTimeout(r, 50));

function classifyConnectError(target: SshTarget, e: unknown): RunbookError {
  const err = e as { message?: string; level?: string; code?: string } | string;
  const where = `${target.user}@${target.hostname}:${target.port}`;
  // ssh2 rejects with nothing when the server just closes the connection (sshd refusing the login,
  // e.g. /run/nologin, MaxStartups, a connection limit)
  if (!err) return errors.connect(target.alias, `${where} closed the connection before login`);
  const message = typeof err === 'string' ? err : (err.message ?? String(e));
  if (typeof err === 'object' && err?.level === 'client-authentication') {
    return errors.auth(target.alias, `authentication failed for ${where} (tried: ssh-agent and ${target.identityFiles.join(', ') || 'default keys'})`, e);
  }
  if (/Timed out while waiting for handshake/.test(message)) return errors.connect(target.alias, `connect to ${where} timed out`, e);
  return errors.connect(target.alias, `cannot connect to ${where}: ${message}`, e);
}

/** Reads a key file once per run, for errors that name it. */
