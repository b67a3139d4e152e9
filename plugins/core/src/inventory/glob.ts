/**
 * `*` (any run of characters) and `?` (one character) wildcards, the only ones ssh_config Host patterns
 * and `--limit` know; every other character is literal.
 */
export function globToRegExp(pattern: string, flags = ''): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

export const hasWildcard = (pattern: string): boolean => /[*?]/.test(pattern);
