/**
 * The sync against the bucket: read the manifest (1 request), upload the files that changed (one PUT
 * each, `concurrency` at once), delete the vanished ones (one request per 1000), write the manifest.
 * A deploy that changed nothing costs exactly the manifest GET.
 */
import { readFile } from 'node:fs/promises';
import {
  DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { errors } from '@runbook/core';
import type { Credentials, Target } from './credentials.js';
import type { ResolvedS3StaticOptions } from './options.js';
import { emptyManifest, parseManifest, planSync, type LocalFile, type Manifest } from './sync-plan.js';

// published AWS SDK versions warn on Node 20 about future releases; this plugin pins its version
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const MANIFEST_NAME = '.runbook-static.json';

export interface SyncResult {
  /** `s3://<bucket>/<prefix>` */
  location: string;
  uploaded: string[];
  unchanged: number;
  deleted: string[];
  /** HTTP requests sent to the S3 API (retries included) */
  requests: number;
  /** --check: nothing was uploaded or deleted; the lists say what would be */
  check: boolean;
}

export function s3Client(t: Target, c: Credentials): { client: S3Client; requests: () => number } {
  const client = new S3Client({
    region: t.region,
    endpoint: t.endpoint,
    forcePathStyle: t.forcePathStyle,
    credentials: { accessKeyId: c.accessKeyId.reveal(), secretAccessKey: c.secretAccessKey.reveal() },
    // S3-compatible servers do not all know the newer default checksums; Content-MD5 is sent instead
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let requests = 0;
  // deserialize runs once per HTTP attempt (inside the retry loop of finalizeRequest)
  client.middlewareStack.add((next) => async (args) => {
    requests++;
    return next(args);
  }, { step: 'deserialize', name: 'runbookRequestCounter' });
  return { client, requests: () => requests };
}

function s3Error(what: string, location: string, e: unknown): Error {
  const name = e instanceof S3ServiceException ? `${e.name} (HTTP ${e.$metadata.httpStatusCode ?? '?'})` : (e as Error).name;
  return errors.config(`s3-static: ${what} ${location} failed: ${name}: ${(e as Error).message}`, { plugin: 's3-static' });
}

async function readManifest(client: S3Client, bucket: string, key: string, location: string): Promise<Manifest> {
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await r.Body!.transformToString();
    try {
      return parseManifest(text);
    } catch {
      // not ours or damaged: upload everything once and write a good one
      return emptyManifest();
    }
  } catch (e) {
    if (e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.$metadata.httpStatusCode === 404) && e.name !== 'NoSuchBucket') return emptyManifest();
    throw s3Error('reading the manifest of', location, e);
  }
}

/** Runs `fn` over `items`, at most `limit` at once; the first error stops new work and is thrown. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

export async function syncStatic(args: {
  files: LocalFile[];
  target: Target;
  credentials: Credentials;
  options: ResolvedS3StaticOptions;
  check: boolean;
}): Promise<SyncResult> {
  const { files, target, options: o } = args;
  const location = `s3://${target.bucket}/${o.prefix}`;
  const { client, requests } = s3Client(target, args.credentials);
  try {
    const manifestKey = `${o.prefix}${MANIFEST_NAME}`;
    const plan = planSync(files, await readManifest(client, target.bucket, manifestKey, location), { remove: o.delete, force: o.force });
    const result = (): SyncResult => ({
      location, uploaded: plan.upload.map((f) => f.name), unchanged: plan.unchanged.length, deleted: plan.delete, requests: requests(), check: args.check,
    });
    if (args.check || (plan.upload.length === 0 && plan.delete.length === 0)) return result();

    const total = plan.upload.length + plan.delete.length;
    let done = 0;
    await pool(plan.upload, o.concurrency, async (f) => {
      try {
        await client.send(new PutObjectCommand({
          Bucket: target.bucket, Key: `${o.prefix}${f.name}`, Body: await readFile(f.path),
          ContentType: f.contentType, CacheControl: f.cacheControl, ContentMD5: f.md5, ...(o.acl ? { ACL: o.acl } : {}),
        }));
      } catch (e) {
        throw s3Error(`uploading ${f.name} to`, location, e);
      }
      o.onProgress?.({ done: ++done, total, key: f.name, action: 'upload' });
    });
    for (let i = 0; i < plan.delete.length; i += 1000) {
      const names = plan.delete.slice(i, i + 1000);
      try {
        const r = await client.send(new DeleteObjectsCommand({ Bucket: target.bucket, Delete: { Objects: names.map((n) => ({ Key: `${o.prefix}${n}` })), Quiet: true } }));
        if (r.Errors?.length) throw new Error(`${r.Errors.length} not deleted, first: ${r.Errors[0].Key}: ${r.Errors[0].Code}`);
      } catch (e) {
        throw s3Error('deleting vanished files from', location, e);
      }
      for (const n of names) o.onProgress?.({ done: ++done, total, key: n, action: 'delete' });
    }
    try {
      await client.send(new PutObjectCommand({
        Bucket: target.bucket, Key: manifestKey, Body: JSON.stringify(plan.next, null, 1), ContentType: 'application/json', CacheControl: 'no-store',
      }));
    } catch (e) {
      throw s3Error('writing the manifest of', location, e);
    }
    return result();
  } finally {
    client.destroy();
  }
}
