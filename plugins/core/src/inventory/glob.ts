/**
 * `*` (any run of characters) and `?` (one character) wildcards, the only ones ssh_config Host patterns
 * and `--limit` know; every other character is literal.
 */
const compiled = new Map<string, RegExp>();

/**
 * The RegExp for a pattern, compiled once per run: every host of an inventory is matched against every
 * Host line of its ssh config (200 hosts, 200 blocks: 40,000 tests). Stateless flags only (no `g`/`y`),
 * so a shared RegExp gives the same answer to every caller.
 */
export function globToRegExp(pattern: string, flags = ''): RegExp {
  if (/[gy]/.test(flags)) throw new Error(`globToRegExp: flags ${flags} would make a shared RegExp stateful`);
  const key = `${flags}\0${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, flags);
    compiled.set(key, re);
  }
  return re;
}

export const hasWildcard = (pattern: string): boolean => /[*?]/.test(pattern);
