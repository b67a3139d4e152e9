/**
 * Loads a user's TypeScript or JavaScript module (config, playbooks). tsx's hooks are registered once,
 * globally and only when a .ts file is loaded: a namespaced `tsImport` would give the playbook its own
 * copy of @runbook/core (a second secret registry, a second RunbookError class).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

export async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?js$/.test(file)) return import(pathToFileURL(file).href);
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => register());
  await tsxRegistered;
  if (file.endsWith('.mts') || inEsmPackage(file)) return import(pathToFileURL(file).href);
  // a Django repo has no package.json: its runbook.config.ts would load as CommonJS, which cannot
  // require() Runbook's ES modules; a .mts copy beside it (same relative imports) always loads as ESM
  const copy = join(dirname(file), `.${basename(file).replace(/\.ts$/, '')}.${process.pid}.mts`);
  writeFileSync(copy, readFileSync(file));
  try {
    return await import(pathToFileURL(copy).href);
  } finally {
    rmSync(copy, { force: true });
  }
}

/** The default export of a module, unwrapping the CJS interop layer. */
export const defaultExport = (mod: Record<string, unknown>): unknown => {
  let value: unknown = mod.default ?? mod;
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) {
    value = (value as { default: unknown }).default;
  }
  return value;
};
