/**
 * `{{ name }}`, `{{ a.b }}` and `{{ name | default: x }}` placeholders. Anything else between braces is
 * left as it is. A missing variable without a default is an E_OPTIONS error naming the placeholder.
 */
import { errors, isSecret } from '@runbook/core';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*(?:\|\s*default:\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s}]+)\s*)?\}\}/g;

export interface Rendered {
  text: string;
  /** a Secret was rendered: the file must be treated as sensitive */
  usedSecret: boolean;
}

function lookup(vars: Record<string, unknown>, path: string): unknown {
  let v: unknown = vars;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function literal(text: string): string {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) return text.slice(1, -1);
  return text;
}

export function renderTemplate(template: string, vars: Record<string, unknown> = {}): Rendered {
  let usedSecret = false;
  const text = template.replace(PLACEHOLDER, (whole, path: string, fallback?: string) => {
    const v = lookup(vars, path);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return literal(fallback);
      throw errors.options(`template: no value for placeholder ${whole} (vars.${path} is not set)`, { key: `vars.${path}` });
    }
    if (isSecret(v)) {
      usedSecret = true;
      return v.reveal();
    }
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  });
  return { text, usedSecret };
}
