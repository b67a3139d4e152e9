export type Vars = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Vars =>
  typeof v === 'object' && v !== null && !Array.isArray(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * Merges variable layers, lowest precedence first. Plain objects merge key by key (later wins per key,
 * recursively); anything else, arrays included, is replaced whole. Inputs are never modified.
 */
export function mergeVars(...layers: (Vars | undefined)[]): Vars {
  let out: Vars = {};
  for (const layer of layers) if (layer) out = mergeInto(out, layer);
  return out;
}

function mergeInto(base: Vars, layer: Vars): Vars {
  const out: Vars = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    const prev = out[key];
    const next = isPlainObject(value) ? mergeInto(isPlainObject(prev) ? prev : {}, value) : value;
    // defineProperty: a `__proto__` key from YAML or -e stays a plain key instead of a prototype
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
