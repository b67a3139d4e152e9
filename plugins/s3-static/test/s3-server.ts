/**
 * A real S3 API on loopback for the tests: s3rver (npm) with its own signature checks, behind a tiny
 * counting proxy, so the tests count the HTTP requests the S3 server actually received.
 */
import { createRequire } from 'node:module';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

const require = createRequire(import.meta.url);

export interface S3Server {
  /** the proxy's URL: what the plugin and browsers use */
  endpoint: string;
  /** requests received so far, by `METHOD path` */
  log: string[];
  close(): Promise<void>;
}

export async function startS3(opts: { bucket: string; accessKeyId: string; secretAccessKey: string }): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-s3rver-'));
  // s3rver verifies SigV4 signatures against its accounts: register the keys the tests put in secrets
  const account = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  account.DUMMY_ACCOUNT.createKeyPair(opts.accessKeyId, opts.secretAccessKey);
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: opts.bucket }] });
  const { port: s3Port } = await s3.run();
  const log: string[] = [];
  const proxy: Server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    // the Host header is passed on unchanged: it is part of the SigV4 signature
    const up = request({ host: '127.0.0.1', port: s3Port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((res) => proxy.listen(0, '127.0.0.1', res));
  const { port } = proxy.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    async close() {
      proxy.closeAllConnections();
      await new Promise((res) => proxy.close(res));
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
