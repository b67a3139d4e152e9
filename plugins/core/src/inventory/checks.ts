/** A value check: what it expects (for the message) and the parse that returns undefined when wrong. */
export interface Check<T> {
  expected: string;
  parse(value: unknown): T | undefined;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const wholeNumber = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
};

export const text: Check<string> = { expected: 'a non-empty string', parse: (v) => (nonEmpty(v) ? v : undefined) };

export const path: Check<string> = { expected: 'a path (a string)', parse: text.parse };

export const paths: Check<string[]> = {
  expected: 'a path or a list of paths',
  parse: (v) => (nonEmpty(v) ? [v] : Array.isArray(v) && v.length && v.every(nonEmpty) ? v : undefined),
};

export const port: Check<number> = {
  expected: 'a port number 1–65535',
  parse: (v) => {
    const n = wholeNumber(v);
    return n !== undefined && n >= 1 && n <= 65535 ? n : undefined;
  },
};

export const seconds: Check<number> = { expected: 'a whole number of seconds', parse: wholeNumber };

export const count: Check<number> = { expected: 'a whole number', parse: wholeNumber };

export const flag: Check<boolean> = {
  expected: 'true or false',
  parse: (v) => (typeof v === 'boolean' ? v : undefined),
};

export const hostKeyChecking: Check<'yes' | 'no' | 'accept-new'> = {
  expected: 'yes, no or accept-new',
  parse: (v) =>
    v === true || v === 'yes' || v === 'ask' ? 'yes'
    : v === false || v === 'no' || v === 'off' ? 'no'
    : v === 'accept-new' ? 'accept-new'
    : undefined,
};

export const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const mapping: Check<Record<string, unknown>> = {
  expected: 'a mapping of names to values',
  parse: (v) => (v === null || v === undefined ? {} : isMapping(v) ? v : undefined),
};

/** The allowed name closest to a mistyped one, for "did you mean". */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]++;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length];
  };
  const best = allowed.map((name) => ({ name, d: distance(word, name) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= (word.length <= 3 ? 1 : 2) ? best.name : undefined;
}
