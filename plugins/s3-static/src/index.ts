export { s3Static } from './s3-static.js';
export { resolveOptions, DEFAULT_CACHE_CONTROL, DEFAULT_COMMAND, type ResolvedS3StaticOptions, type S3StaticOptions, type SyncProgress } from './options.js';
export { bucketUrl, resolveCredentials, resolveTarget, SECRET_NAMES, type Credentials, type Target } from './credentials.js';
export { cacheControl, contentType, isHashedName, HASHED_NAME } from './object-headers.js';
export { collect, listFiles, type Collected } from './collect.js';
export { planSync, parseManifest, type LocalFile, type Manifest, type ManifestEntry, type SyncPlan } from './sync-plan.js';
export { syncStatic, s3Client, MANIFEST_NAME, type SyncResult } from './sync.js';
export { s3StaticSync, summary, changeLines, type SyncReportOptions } from './sync-report.js';
