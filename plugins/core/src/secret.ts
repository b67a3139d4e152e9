/**
 * Secrets are values that must never be printed. `secret(v)` wraps a value; printing, string conversion or
 * JSON of the wrapper shows the mask. Every value is also registered with the process-wide masker, so a
 * value that leaks into a command line, a diff or a remote error message is masked by value at the sinks.
 */
export const MASK = '••••••';

// on globalThis: every copy of this module in the process (bundled plugins, loaders) shares one registry
const registryKey = Symbol.for('runbook.secret-values');
const registry: Set<string> = ((globalThis as Record<symbol, Set<string>>)[registryKey] ??= new Set<string>());

export class Secret {
  readonly #value: string;
  readonly name?: string;
  constructor(value: string, name?: string) {
    this.#value = value;
    this.name = name;
    registerSecretValue(value);
  }
  /** The real value: only for building commands and file content, never for output. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.name ?? MASK})`;
  }
}

export function secret(value: string, name?: string): Secret {
  return new Secret(value, name);
}

export const isSecret = (v: unknown): v is Secret => v instanceof Secret;

/** Plain text of a value that may be a secret (for content that goes to a host). */
export const reveal = (v: string | Secret): string => (v instanceof Secret ? v.reveal() : v);

export function registerSecretValue(value: string): void {
  // very short values would mask ordinary words everywhere; they are still hidden by the Secret wrapper
  if (value.length >= 3) registry.add(value);
  // values that travel encoded are masked in that form too
  if (value.length >= 3) registry.add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
}

/** Replaces every registered secret value in the text. Longest first, so overlapping values mask fully. */
export function mask(text: string): string {
  if (registry.size === 0 || !text) return text;
  let out = text;
  for (const v of [...registry].sort((a, b) => b.length - a.length)) {
    if (out.includes(v)) out = out.split(v).join(MASK);
  }
  return out;
}

/** Masks every string inside a JSON-like value (events, reports). */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return mask(value) as T;
  if (value instanceof Secret) return MASK as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v)) as T;
  if (value instanceof Error) return value;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v);
    return out as T;
  }
  return value;
}

/** For tests: forget every registered value. */
export function clearSecretsForTesting(): void {
  registry.clear();
}
