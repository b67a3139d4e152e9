/** The s3-static plugin's options, their defaults and their validation (before anything runs). */
import { checkOptionKeys, errors, optionKeys, type PlacementOptions } from '@runbook/core';

export interface S3StaticOptions extends PlacementOptions {
  /**
   * The bucket. Unset: the env's secret `AWS_STORAGE_BUCKET_NAME`, else `BUCKET_NAME`.
   * @example 'shop-static'
   */
  bucket?: string;
  /**
   * Key prefix of the static files in the bucket ('' for the bucket's root; a trailing `/` is added).
   * @default 'static/'
   * @example 'shop/static/'
   */
  prefix?: string;
  /**
   * The checkout whose static files are collected, relative to the project root (where the config is).
   * @default '.'
   * @example 'apps/demo-django'
   */
  path?: string;
  /**
   * Collect from this commit of `path` (`git archive <ref>` into a temp dir, like the app's upload
   * source), so the bucket gets exactly the release's files; `false`: the working tree as it is.
   * @default 'HEAD'
   * @example false
   */
  ref?: string | false;
  /**
   * The collect (or build) command, run in the checkout on the control machine, with the env's secrets
   * and `env` in its environment and `STATIC_ROOT` set to `outputDir`. `false`: no command, upload
   * `outputDir` as it is.
   * @default ['python3', 'manage.py', 'collectstatic', '--noinput']
   * @example ['npm', 'run', 'build']
   */
  command?: string[] | false;
  /**
   * Where the command puts the files, relative to the checkout. Unset: a fresh temp dir, given to the
   * command as `STATIC_ROOT` (what Django's collectstatic reads in the demo's settings).
   * @default a temp dir
   * @example 'dist'
   */
  outputDir?: string;
  /**
   * More environment for the command (plain values).
   * @default {}
   * @example { STATIC_MANIFEST: '1' }
   */
  env?: Record<string, string>;
  /**
   * S3 API endpoint for S3-compatible services (MinIO, R2, Spaces, …). Unset: the env's secret
   * `AWS_S3_ENDPOINT_URL` or `AWS_ENDPOINT_URL`, else AWS S3 itself.
   * @example 'https://fra1.digitaloceanspaces.com'
   */
  endpoint?: string;
  /**
   * Region. Unset: the env's secret `AWS_REGION` or `AWS_DEFAULT_REGION`, else `us-east-1`.
   * @example 'eu-central-1'
   */
  region?: string;
  /**
   * Path-style URLs (`<endpoint>/<bucket>/key`) instead of virtual-hosted (`<bucket>.<endpoint>/key`);
   * most self-hosted S3 servers need it.
   * @default false
   * @example true
   */
  forcePathStyle?: boolean;
  /**
   * The URL the app uses for static files (`site.staticUrl`, `STATIC_URL` in the .env): a custom domain
   * or a CDN in front of the bucket. Unset: the bucket's own URL for the prefix.
   * @example 'https://cdn.example.com/static/'
   */
  publicUrl?: string;
  /**
   * Delete objects this plugin uploaded earlier (listed in its manifest) that the new collection no
   * longer has. Objects it never uploaded are never touched.
   * @default false
   * @example true
   */
  delete?: boolean;
  /**
   * Uploads in flight at once.
   * @default 8
   * @example 16
   */
  concurrency?: number;
  /**
   * Cache-Control of files with a content hash in their name (`site.3f2a9c0d1b4e.css`, Django's
   * ManifestStaticFilesStorage style), and of the others.
   * @default { hashed: 'public, max-age=31536000, immutable', other: 'public, max-age=300' }
   * @example { other: 'no-cache' }
   */
  cacheControl?: { hashed?: string; other?: string };
  /**
   * Canned ACL for uploaded objects; unset: none (buckets with ACLs disabled reject any; make them
   * public with a bucket policy).
   * @example 'public-read'
   */
  acl?: 'public-read' | 'private';
  /**
   * Re-upload every file (e.g. after objects were changed behind Runbook's back).
   * @default false
   */
  force?: boolean;
  /**
   * Called after each upload or deletion, for progress output.
   * @example ({ done, total, key }) => console.error(`${done}/${total} ${key}`)
   */
  onProgress?: (p: SyncProgress) => void;
}

export interface SyncProgress {
  done: number;
  total: number;
  key: string;
  action: 'upload' | 'delete';
}

export interface ResolvedS3StaticOptions {
  bucket?: string;
  prefix: string;
  path: string;
  ref: string | false;
  command: string[] | false;
  outputDir?: string;
  env: Record<string, string>;
  endpoint?: string;
  region?: string;
  forcePathStyle: boolean;
  publicUrl?: string;
  delete: boolean;
  concurrency: number;
  cacheControl: { hashed: string; other: string };
  acl?: 'public-read' | 'private';
  force: boolean;
  onProgress?: (p: SyncProgress) => void;
}

export const DEFAULT_COMMAND = ['python3', 'manage.py', 'collectstatic', '--noinput'];
export const DEFAULT_CACHE_CONTROL = { hashed: 'public, max-age=31536000, immutable', other: 'public, max-age=300' };

const bad = (key: string, expected: string, got: unknown): never => {
  throw errors.options(`s3-static: ${key} must be ${expected}, got ${JSON.stringify(got)}`, { key, plugin: 's3-static' });
};

const str = (key: string, v: unknown, re?: RegExp, expected = 'a non-empty string'): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.includes('\n') || (re && !re.test(v))) bad(key, expected, v);
  return v as string;
};

const bool = (key: string, v: unknown): boolean => {
  if (v !== undefined && typeof v !== 'boolean') bad(key, 'a boolean', v);
  return (v as boolean | undefined) ?? false;
};

const KEYS = optionKeys<S3StaticOptions>({
  on: true, bucket: true, prefix: true, path: true, ref: true, command: true, outputDir: true, env: true, endpoint: true, region: true,
  forcePathStyle: true, publicUrl: true, delete: true, concurrency: true, cacheControl: true, acl: true, force: true, onProgress: true,
});
const CACHE_CONTROL_KEYS = optionKeys<NonNullable<S3StaticOptions['cacheControl']>>({ hashed: true, other: true });

const URL_RE = /^https?:\/\/[^\s/]+(\/\S*)?$/;
// S3's rules, lower-case only (virtual-hosted style needs DNS-safe names)
export const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveOptions(o: S3StaticOptions = {}): ResolvedS3StaticOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object', o);
  checkOptionKeys('s3-static', o, KEYS);
  const bucket = str('bucket', o.bucket, BUCKET_RE, 'an S3 bucket name (3–63 of a-z 0-9 . -)');
  let prefix = o.prefix ?? 'static/';
  if (typeof prefix !== 'string' || prefix.startsWith('/') || prefix.includes('..') || /[\s\\]/.test(prefix)) {
    bad('prefix', "a key prefix without a leading '/', '..', spaces or backslashes", prefix);
  }
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  const ref = o.ref ?? 'HEAD';
  if (ref !== false && (typeof ref !== 'string' || !ref || ref.startsWith('-'))) bad('ref', "a git ref or false", ref);
  const command = o.command ?? DEFAULT_COMMAND;
  if (command !== false && (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== 'string'))) {
    bad('command', 'a non-empty argv array (e.g. ["npm", "run", "build"]) or false', command);
  }
  const outputDir = str('outputDir', o.outputDir);
  if (command === false && outputDir === undefined) bad('outputDir', 'set when command is false (the directory to upload)', outputDir);
  const env = o.env ?? {};
  if (typeof env !== 'object' || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) bad('env', 'an object of string values', env);
  const concurrency = o.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) bad('concurrency', 'an integer from 1 to 256', concurrency);
  const cc = o.cacheControl ?? {};
  if (typeof cc !== 'object' || Array.isArray(cc)) bad('cacheControl', 'an object { hashed?, other? }', cc);
  checkOptionKeys('s3-static', cc, CACHE_CONTROL_KEYS, 'cacheControl');
  const acl = o.acl;
  if (acl !== undefined && acl !== 'public-read' && acl !== 'private') bad('acl', "'public-read' or 'private'", acl);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') bad('onProgress', 'a function', o.onProgress);
  return {
    bucket,
    prefix,
    path: str('path', o.path) ?? '.',
    ref,
    command,
    outputDir,
    env,
    endpoint: str('endpoint', o.endpoint, URL_RE, 'an http(s) URL'),
    region: str('region', o.region, /^[a-z0-9-]+$/, 'a region name (e.g. eu-central-1)'),
    forcePathStyle: bool('forcePathStyle', o.forcePathStyle),
    publicUrl: str('publicUrl', o.publicUrl, URL_RE, 'an http(s) URL'),
    delete: bool('delete', o.delete),
    concurrency,
    cacheControl: {
      hashed: str('cacheControl.hashed', cc.hashed) ?? DEFAULT_CACHE_CONTROL.hashed,
      other: str('cacheControl.other', cc.other) ?? DEFAULT_CACHE_CONTROL.other,
    },
    acl,
    force: bool('force', o.force),
    onProgress: o.onProgress,
  };
}
