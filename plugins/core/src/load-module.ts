/**
 * Loads a user's TypeScript or JavaScript module (config, playbooks). tsx's hooks are registered once,
 * globally and only when a .ts file is loaded: a namespaced `tsImport` would give the playbook its own
 * copy of @runbook/core (a second secret registry, a second RunbookError class).
 */
import { pathToFileURL } from 'node:url';

let tsxRegistered: Promise<unknown> | undefined;

export async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (!/\.[cm]?js$/.test(file)) {
    tsxRegistered ??= import('tsx/esm/api').then(({ register }) => register());
    await tsxRegistered;
  }
  return import(pathToFileURL(file).href);
}

/** The default export of a module, unwrapping the CJS interop layer. */
export const defaultExport = (mod: Record<string, unknown>): unknown => {
  let value: unknown = mod.default ?? mod;
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) {
    value = (value as { default: unknown }).default;
  }
  return value;
};
