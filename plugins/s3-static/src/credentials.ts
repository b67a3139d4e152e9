/**
 * Where the bucket and the keys come from: the options, else the env's secrets under the names teams
 * already use (first found wins). Keys stay core Secrets: only the S3 client sees their values.
 */
import { errors, type Secret } from '@runbook/core';
import { BUCKET_RE, type ResolvedS3StaticOptions } from './options.js';

export const SECRET_NAMES = {
  bucket: ['AWS_STORAGE_BUCKET_NAME', 'BUCKET_NAME'],
  accessKeyId: ['AWS_ACCESS_KEY_ID', 'AWS_ACCESS_ID'],
  secretAccessKey: ['AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_SECRET'],
  endpoint: ['AWS_S3_ENDPOINT_URL', 'AWS_ENDPOINT_URL'],
  region: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
} as const;

export interface Target {
  bucket: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

export interface Credentials {
  accessKeyId: Secret;
  secretAccessKey: Secret;
}

const first = (secrets: Record<string, Secret>, names: readonly string[]): Secret | undefined =>
  names.map((n) => secrets[n]).find((s) => s !== undefined && s.reveal() !== '');

const missing = (env: string, what: string, names: readonly string[], option?: string) =>
  errors.config(
    `s3-static: no ${what} for env "${env}": ${option ? `set the option ${option} or ` : ''}add ${names.join(' or ')} to secrets/${env}.env (tried ${names.join(', ')})`,
    { key: option ?? names[0], plugin: 's3-static' },
  );

/** Bucket, endpoint and region: needed by `contribute` (the static URL) as well as by the sync. */
export function resolveTarget(o: ResolvedS3StaticOptions, secrets: Record<string, Secret>, env: string): Target {
  const bucket = o.bucket ?? first(secrets, SECRET_NAMES.bucket)?.reveal();
  if (!bucket) throw missing(env, 'bucket', SECRET_NAMES.bucket, 'bucket');
  if (!BUCKET_RE.test(bucket)) throw errors.config(`s3-static: the bucket name from secrets/${env}.env is not a valid S3 bucket name (3–63 of a-z 0-9 . -)`, { key: 'bucket', plugin: 's3-static' });
  const endpoint = o.endpoint ?? first(secrets, SECRET_NAMES.endpoint)?.reveal();
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) {
    throw errors.config(`s3-static: the endpoint for env "${env}" must be an http(s) URL without a path`, { key: 'endpoint', plugin: 's3-static' });
  }
  const region = o.region ?? first(secrets, SECRET_NAMES.region)?.reveal() ?? 'us-east-1';
  return { bucket, endpoint: endpoint?.replace(/\/$/, ''), region, forcePathStyle: o.forcePathStyle };
}

/** The access key pair; a clear error naming the env and every name tried. */
export function resolveCredentials(secrets: Record<string, Secret>, env: string): Credentials {
  const accessKeyId = first(secrets, SECRET_NAMES.accessKeyId);
  if (!accessKeyId) throw missing(env, 'access key id', SECRET_NAMES.accessKeyId);
  const secretAccessKey = first(secrets, SECRET_NAMES.secretAccessKey);
  if (!secretAccessKey) throw missing(env, 'secret access key', SECRET_NAMES.secretAccessKey);
  return { accessKeyId, secretAccessKey };
}

/** The bucket's URL for the prefix, as browsers fetch it (the default static URL). */
export function bucketUrl(t: Target, prefix: string): string {
  if (t.endpoint) {
    const u = new URL(t.endpoint);
    return t.forcePathStyle ? `${u.origin}/${t.bucket}/${prefix}` : `${u.protocol}//${t.bucket}.${u.host}/${prefix}`;
  }
  return `https://${t.bucket}.s3.${t.region}.amazonaws.com/${prefix}`;
}
