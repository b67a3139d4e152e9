/** Content-Type and Cache-Control of an uploaded file, from its name alone. */

const TYPES: Record<string, string> = {
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  map: 'application/json',
  json: 'application/json',
  webmanifest: 'application/manifest+json',
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  md: 'text/markdown',
  xml: 'application/xml',
  csv: 'text/csv',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/vnd.microsoft.icon',
  bmp: 'image/bmp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  br: 'application/x-brotli',
  wasm: 'application/wasm',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
};

/** By extension, case-insensitive; unknown ones are `application/octet-stream`. */
export function contentType(name: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  return (m && TYPES[m[1].toLowerCase()]) ?? 'application/octet-stream';
}

/**
 * A content hash in the name: Django's ManifestStaticFilesStorage `name.<12 hex>.ext` (also before a
 * compression suffix: `app.3f2a9c0d1b4e.js.gz`). Such a file never changes under its name.
 */
export const HASHED_NAME = /\.[0-9a-f]{12}\.[A-Za-z0-9]+(\.(gz|br))?$/;

export const isHashedName = (name: string): boolean => HASHED_NAME.test(name.split('/').pop() ?? name);

export function cacheControl(name: string, policy: { hashed: string; other: string }): string {
  return isHashedName(name) ? policy.hashed : policy.other;
}
