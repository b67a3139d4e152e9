/**
 * Loads a user's TypeScript or JavaScript module (config, playbooks). TypeScript that imports only
 * packages and JavaScript is transpiled alone; otherwise tsx's hooks are registered once,
 * globally and only when a .ts file is loaded: a namespaced `tsImport` would give the playbook its own
 * copy of @runbook/core (a second secret registry, a second RunbookError class).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

let tsxRegistered: Promise<unknown> | undefined;

/** Whether the nearest package.json says `"type": "module"` (else .ts files load as CommonJS). */
function inEsmPackage(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module';
    if (dirname(dir) === dir) return false;
  }
}

/** Relative imports native ESM loads as they are: JavaScript files that exist beside the module. */
const plainImport = (file: string, spec: string) =>
  !/^(\.{1,2}\/|\/|file:)/.test(spec) || (/\.[cm]?js$/.test(spec) && existsSync(resolve(dirname(file), spec)));
const importSpecifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"']+)\1/g;

/** `node_modules/.cache/runbook` of the nearest node_modules above `file` (trusted as node_modules is). */
function cacheDir(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'runbook');
    if (dirname(dir) === dir) return undefined;
  }
}

const target = `node${process.versions.node.split('.')[0]}`;

/** esbuild's output for a source, kept by the hash of what shapes it: loading esbuild costs ~35 ms. */
async function transpile(file: string, source: string): Promise<string> {
  // the pinned esbuild's minor is part of the key: a new one may write other code
  const key = createHash('sha256').update(`esbuild-0.28\0${target}\0${file}\0${source}`).digest('hex');
  const dir = cacheDir(file);
  const cached = dir && join(dir, `${key}.mjs`);
  if (cached && existsSync(cached)) return readFileSync(cached, 'utf8');
  const { transform } = await import('esbuild');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target, sourcemap: 'inline', sourcefile: file });
  if (cached) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${cached}.${process.pid}`;
      writeFileSync(tmp, code);
      renameSync(tmp, cached);
    } catch {
      // a cache that cannot be written only costs the next run the transform
    }
  }
  return code;
}

/**
 * A .ts module that imports no TypeScript (nor JSON) of its own, only packages and JavaScript, needs no
 * loader hooks: esbuild strips its types (~35 ms, or a cached result), and it loads as plain ESM.
 * Registering tsx's hooks costs ~130 ms of every run (a worker thread that every later import then
 * passes through). Undefined when the module needs tsx.
 */
async function transpiledAlone(file: string): Promise<string | undefined> {
  const code = await transpile(file, readFileSync(file, 'utf8'));
  for (const m of code.matchAll(importSpecifier)) if (!plainImport(file, m[2])) return undefined;
  return code;
}

let copies = 0;

/** Imports source written beside `file` (same relative imports and node_modules), then removes it. */
async function importCopy(file: string, ext: string, source: string | Buffer): Promise<Record<string, unknown>> {
  // a name of its own per load: ES modules are cached by URL for the life of the process
  const copy = join(dirname(file), `.${basename(file).replace(/\.[cm]?ts$/, '')}.${process.pid}.${++copies}${ext}`);
  writeFileSync(copy, source);
  try {
    return await import(pathToFileURL(copy).href);
  } finally {
    rmSync(copy, { force: true });
  }
}

export async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?js$/.test(file)) return import(pathToFileURL(file).href);
  const alone = await transpiledAlone(file);
  if (alone !== undefined) {
    // stack traces name the .ts file and its lines (the inline source map), not the copy
    process.setSourceMapsEnabled(true);
    return importCopy(file, '.mjs', alone);
  }
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => register());
  await tsxRegistered;
  if (file.endsWith('.mts') || inEsmPackage(file)) return import(pathToFileURL(file).href);
  // a Django repo has no package.json: its runbook.config.ts would load as CommonJS, which cannot
  // require() Runbook's ES modules; a .mts copy beside it (same relative imports) always loads as ESM
  return importCopy(file, '.mts', readFileSync(file));
}

/** The default export of a module, unwrapping the CJS interop layer. */
export const defaultExport = (mod: Record<string, unknown>): unknown => {
  let value: unknown = mod.default ?? mod;
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) {
    value = (value as { default: unknown }).default;
  }
  return value;
};
