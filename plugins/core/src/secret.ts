/**
 * Secrets are values that must never be printed. `secret(v)` wraps a value; printing, string conversion or
 * JSON of the wrapper shows the mask. Every value is also registered with the process-wide masker, so a
 * value that leaks into a command line, a diff or a remote error message is masked by value at the sinks.
 *
 * What is masked, for a value of at least MIN_SECRET_LENGTH characters: the value; each line of a
 * multi-line value (lines shorter than MIN_SECRET_LENGTH once trimmed are not: they give little away and
 * would hide ordinary text such as `}`); the forms a value takes on the way — inside single quotes
 * (`quote`: `'` becomes `'\''`), JSON-escaped (`\n`, `\"`, `\\`) and base64. Shorter values are not
 * registered: the Secret wrapper still prints as the mask, and loadSecrets refuses them (E_SECRETS).
 *
 * Where: a value is masked where it stands whole, not as part of a name — not right after or before a
 * letter, digit, `_` or `-`, nor a `.` that joins such characters. So a secret `shop` does not mask
 * `shop-1`, `shop.service` or `workshop`, but does mask `--password=shop`, `'shop'`, `shop.` at the end
 * of a sentence, `\nshop` inside JSON. Values of MASK_ANYWHERE_LENGTH characters or more are masked
 * wherever they occur: no name contains one by chance, and inside a longer word it still gives it away.
 */
export const MASK = '••••••';
/** Secret values shorter than this cannot be masked safely (too many ordinary words match). */
export const MIN_SECRET_LENGTH = 4;
/** Values this long are masked even inside a longer word. */
export const MASK_ANYWHERE_LENGTH = 16;

interface Masker {
  values: Set<string>;
  /** built on first use after a change */
  pattern?: RegExp | null;
}

// on globalThis: every copy of this module in the process (bundled plugins, loaders) shares one registry
const maskerKey = Symbol.for('runbook.secret-masker');
const masker: Masker = ((globalThis as Record<symbol, Masker>)[maskerKey] ??= { values: new Set<string>() });

export interface SecretOptions {
  /**
   * The value is made of other values that are registered on their own (a rendered .env): mask the
   * whole text, not each of its lines, which are mostly not secret (`STATIC_URL=/static/`).
   * @default false
   */
  composite?: boolean;
}

export class Secret {
  readonly #value: string;
  readonly name?: string;
  constructor(value: string, name?: string, options: SecretOptions = {}) {
    this.#value = value;
    this.name = name;
    registerSecretValue(value, options);
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

export function secret(value: string, name?: string, options?: SecretOptions): Secret {
  return new Secret(value, name, options);
}

export const isSecret = (v: unknown): v is Secret => v instanceof Secret;

/** Plain text of a value that may be a secret (for content that goes to a host). */
export const reveal = (v: string | Secret): string => (v instanceof Secret ? v.reveal() : v);

/** The forms a value takes on its way to output: as is, inside single quotes, JSON-escaped. */
export function maskedForms(value: string): string[] {
  const shellQuoted = value.replace(/'/g, `'\\''`);
  const forms = [value, shellQuoted].flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]);
  return [...new Set(forms)];
}

export function registerSecretValue(value: string, options: SecretOptions = {}): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  const add = (v: string) => {
    if (v.length < MIN_SECRET_LENGTH || masker.values.has(v)) return;
    masker.values.add(v);
    masker.pattern = undefined;
  };
  maskedForms(value).forEach(add);
  add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
  if (options.composite || !/[\r\n]/.test(value)) return;
  for (const line of value.split(/\r?\n|\r/)) {
    const trimmed = line.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) maskedForms(trimmed).forEach(add);
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// part of a name before the value: a name character (unless it ends an escape such as `\n`), or a `.`
// after one; after it: a name character, or a `.` before one
const notAfterName = String.raw`(?<!(?<!\\)[A-Za-z0-9_-])(?<![A-Za-z0-9_]\.)`;
const notBeforeName = String.raw`(?![A-Za-z0-9_-]|\.[A-Za-z0-9_])`;

function maskPattern(): RegExp | null {
  if (masker.pattern !== undefined) return masker.pattern;
  // longest first: at one position the longest registered value wins, so overlapping values mask fully
  const values = [...masker.values].sort((a, b) => b.length - a.length);
  const alternatives = values.map((v) =>
    v.length >= MASK_ANYWHERE_LENGTH ? escapeRegExp(v) : `${notAfterName}${escapeRegExp(v)}${notBeforeName}`);
  masker.pattern = alternatives.length ? new RegExp(alternatives.join('|'), 'g') : null;
  return masker.pattern;
}

/** Replaces every registered secret value in the text (see the rule at the top of this file). */
export function mask(text: string): string {
  if (!text) return text;
  const pattern = maskPattern();
  return pattern ? text.replace(pattern, MASK) : text;
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
  masker.values.clear();
  masker.pattern = undefined;
}
