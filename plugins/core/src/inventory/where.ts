import { errors, type RunbookError } from '../errors.js';

/** Where a value came from: the file, its 1-based line and a readable dotted key. */
export interface Where {
  file: string;
  line?: number;
  key: string;
}

/** A value together with the place it was written, so later checks can still point at it. */
export interface Sourced<T> {
  value: T;
  at: Where;
}

export const invalid = (at: Where, message: string): RunbookError =>
  errors.inventory(message, { file: at.file, line: at.line, key: at.key });

/** `hosts.app.example.com.groups[1]`: dots between names, brackets for list indexes. */
export function formatKey(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (key, part) => (typeof part === 'number' ? `${key}[${part}]` : key ? `${key}.${part}` : part),
    '',
  );
}

/** A value as a message shows it: strings quoted, containers by kind. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
