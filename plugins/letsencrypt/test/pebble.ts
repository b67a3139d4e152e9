/**
 * A real ACME server for the tests: pebble and pebble-challtestsrv (Debian package `pebble`) on the test
 * bridge. pebble's https certificate comes from a throwaway CA made here with openssl (the Debian package
 * ships no test certificates); pebble resolves names through challtestsrv's DNS, whose A records the
 * test adds, so http-01 validation reaches the test host's nginx on port 80.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run$ = promisify(execFile);

export interface Pebble {
  /** the ACME directory URL */
  directory: string;
  /** PEM of the CA that pebble's https certificate chains to (certbot's REQUESTS_CA_BUNDLE) */
  minica: string;
  /** the root that issued certificates chain to (new per pebble run), written to a file */
  rootFile(): Promise<string>;
  /** an A record in challtestsrv's DNS */
  addA(host: string, address: string): Promise<void>;
  /** the tail of both logs, for failure messages */
  logs(): string;
  stop(): Promise<void>;
}

const PORTS = { acme: 14000, management: 15000, dns: 8053, challManagement: 8055 };

async function openssl(args: string[]): Promise<void> {
  await run$('openssl', args);
}

/** A CA and a certificate for `address` signed by it (EC P-256, two days). */
async function makeCerts(dir: string, address: string): Promise<{ ca: string; cert: string; key: string }> {
  const p = (f: string) => join(dir, f);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=runbook test minica']);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('key.pem'), '-out', p('req.csr'), '-subj', `/CN=${address}`]);
  writeFileSync(p('ext.cnf'), `subjectAltName=IP:${address},DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n`);
  await openssl(['x509', '-req', '-in', p('req.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-out', p('cert.pem'), '-extfile', p('ext.cnf')]);
  return { ca: p('ca.pem'), cert: p('cert.pem'), key: p('key.pem') };
}

async function waitFor(what: string, probe: () => Promise<unknown>, logs: () => string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    try {
      await probe();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${what} did not come up: ${String(last)}\n${logs()}`);
}

const tail = (file: string): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
};

/** Starts challtestsrv and pebble (each in its own process group) on `address`; `dir` holds their files. */
export async function startPebble(address: string, dir: string): Promise<Pebble> {
  const certs = await makeCerts(dir, address);
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify({
    pebble: {
      listenAddress: `${address}:${PORTS.acme}`,
      managementListenAddress: `${address}:${PORTS.management}`,
      certificate: certs.cert,
      privateKey: certs.key,
      httpPort: 80,
      tlsPort: 443,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }));
  const procs: ChildProcess[] = [];
  const start = (name: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
    const log = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(cmd, args, { cwd: dir, detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...env } });
    procs.push(child);
  };
  const logs = () => `--- challtestsrv\n${tail(join(dir, 'challtestsrv.log'))}\n--- pebble\n${tail(join(dir, 'pebble.log'))}`;
  const stop = async () => {
    for (const child of procs.reverse()) {
      if (child.exitCode !== null || child.pid === undefined) continue;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        continue;
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
  };
  const curl = (args: string[]) => run$('curl', ['-sS', '--fail', '--max-time', '5', ...args], { maxBuffer: 1 << 20 });
  try {
    // only the DNS part of challtestsrv: no AAAA answers, so pebble dials the A record's address
    start('challtestsrv', 'pebble-challtestsrv', [
      '-dns01', `${address}:${PORTS.dns}`, '-http01', '', '-https01', '', '-tlsalpn01', '',
      '-management', `${address}:${PORTS.challManagement}`, '-defaultIPv4', '', '-defaultIPv6', '',
    ]);
    start('pebble', 'pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `${address}:${PORTS.dns}`], {
      PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0',
    });
    await waitFor('pebble-challtestsrv', () => curl(['-o', '/dev/null', '-X', 'POST', '-d', '{"host":"probe.invalid","addresses":["127.0.0.1"]}', `http://${address}:${PORTS.challManagement}/add-a`]), logs);
    await waitFor('pebble', () => curl(['-o', '/dev/null', '--cacert', certs.ca, `https://${address}:${PORTS.acme}/dir`]), logs);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    directory: `https://${address}:${PORTS.acme}/dir`,
    minica: readFileSync(certs.ca, 'utf8'),
    async rootFile() {
      const { stdout } = await curl(['--cacert', certs.ca, `https://${address}:${PORTS.management}/roots/0`]);
      const file = join(dir, 'pebble-root.pem');
      writeFileSync(file, stdout);
      return file;
    },
    async addA(host, addr) {
      await curl(['-o', '/dev/null', '-X', 'POST', '-d', JSON.stringify({ host: `${host}.`, addresses: [addr] }), `http://${address}:${PORTS.challManagement}/add-a`]);
    },
    logs,
    stop,
  };
}
