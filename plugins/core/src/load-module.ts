/**
 * Loads a user's TypeScript or JavaScript module (config, playbooks). TypeScript that imports only
 * packages and JavaScript is transpiled alone; otherwise tsx's hooks are registered once,
 * globally and only when a .ts file is loaded: a namespaced `tsImport` would give the playbook its own
 * copy of @runbook/core (a second secret registry, a second RunbookError class).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * A .ts module that imports no TypeScript (nor JSON) of its own, only packages and JavaScript, needs no
 * loader hooks: esbuild strips its types in ~15 ms, and it loads as plain ESM. Registering tsx's hooks
 * costs ~130 ms of every run (a worker thread that every later import then passes through).
 * Undefined when the module needs tsx.
 */
async function transpiledAlone(file: string): Promise<string | undefined> {
  const { transform } = await import('esbuild');
  const { code } = await transform(readFileSync(file, 'utf8'), {
    loader: 'ts', format: 'esm', target: `node${process.versions.node.split('.')[0]}`, sourcemap: 'inline', sourcefile: file,
  });
  for (const m of code.matchAll(importSpecifier)) if (!plainImport(file, m[2])) return undefined;
  return code;
}

/** Imports source written beside `file` (same relative imports and node_modules), then removes it. */
async function importCopy(file: string, ext: string, source: string | Buffer): Promise<Record<string, unknown>> {
  const copy = join(dirname(file), `.${basename(file).replace(/\.[cm]?ts$/, '')}.${process.pid}${ext}`);
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
