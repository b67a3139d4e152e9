/** Loads a user's TypeScript or JavaScript module (config, playbooks). tsx is loaded only when needed. */
import { pathToFileURL } from 'node:url';

export async function loadModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (/\.[cm]?js$/.test(file)) return import(url);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(url, import.meta.url);
}

/** The default export of a module, unwrapping the CJS interop layer. */
export const defaultExport = (mod: Record<string, unknown>): unknown => {
  let value: unknown = mod.default ?? mod;
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) {
    value = (value as { default: unknown }).default;
  }
  return value;
};
