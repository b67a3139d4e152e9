/**
 * What a sync does, decided from the collected files and the manifest the previous sync left in the
 * bucket: one GET tells what the bucket holds, so a deploy that changed nothing costs one request.
 */

/** A collected file, named by its path under the output dir (with `/`). */
export interface LocalFile {
  name: string;
  /** absolute path on the control machine */
  path: string;
  size: number;
  sha256: string;
  /** base64, sent as Content-MD5 so S3 verifies the upload */
  md5: string;
  contentType: string;
  cacheControl: string;
}

export interface ManifestEntry {
  sha256: string;
  size: number;
  contentType: string;
  cacheControl: string;
}

/** `<prefix>.runbook-static.json` in the bucket: every object this plugin put under the prefix. */
export interface Manifest {
  version: 1;
  files: Record<string, ManifestEntry>;
}

export interface SyncPlan {
  upload: LocalFile[];
  unchanged: string[];
  /** names to delete (only with `delete`) */
  delete: string[];
  /** what the manifest says once the plan is carried out */
  next: Manifest;
}

export const emptyManifest = (): Manifest => ({ version: 1, files: {} });

export const entryOf = (f: LocalFile): ManifestEntry => ({ sha256: f.sha256, size: f.size, contentType: f.contentType, cacheControl: f.cacheControl });

const same = (a: ManifestEntry, b: ManifestEntry): boolean =>
  a.sha256 === b.sha256 && a.size === b.size && a.contentType === b.contentType && a.cacheControl === b.cacheControl;

/** Throws on anything that is not a manifest this plugin wrote (then the caller treats the bucket as unknown). */
export function parseManifest(text: string): Manifest {
  const m = JSON.parse(text) as Manifest;
  if (!m || m.version !== 1 || typeof m.files !== 'object' || m.files === null) throw new Error('not a version 1 manifest');
  return m;
}

/**
 * Upload what is new or differs (content or headers: a changed cache policy re-uploads); with `remove`,
 * delete what the manifest lists and the collection no longer has; `force` uploads everything.
 */
export function planSync(local: LocalFile[], manifest: Manifest, opts: { remove: boolean; force: boolean }): SyncPlan {
  const next: Manifest = { version: 1, files: {} };
  const upload: LocalFile[] = [];
  const unchanged: string[] = [];
  const names = new Set(local.map((f) => f.name));
  for (const f of [...local].sort((a, b) => a.name.localeCompare(b.name))) {
    const before = manifest.files[f.name];
    if (!opts.force && before && same(before, entryOf(f))) unchanged.push(f.name);
    else upload.push(f);
    next.files[f.name] = entryOf(f);
  }
  const gone = Object.keys(manifest.files).filter((n) => !names.has(n)).sort();
  // kept objects stay listed, so a later run with `delete` can still remove them
  if (!opts.remove) for (const n of gone) next.files[n] = manifest.files[n];
  return { upload, unchanged, delete: opts.remove ? gone : [], next };
}
