import { globToRegExp } from './glob.js';
import { invalid, type Sourced } from './where.js';

/**
 * The Host aliases an inventory's `sshConfigHosts` imports, in ssh config order. `all` (or `*`) and
 * patterns add, `!pattern` removes; with only `!` patterns the start is every alias. Matching ignores
 * case, as ssh does. A pattern that matches no alias is an error: a mistyped `!dev-*` would otherwise
 * import the dev hosts.
 */
export function pickSshConfigHosts(aliases: Sourced<string>[], patterns: Sourced<string>[], sshFile: string): Sourced<string>[] {
  const match = (p: Sourced<string>): Set<string> => {
    const pattern = p.value.replace(/^!/, '');
    const re = pattern === 'all' ? /^/ : globToRegExp(pattern, 'i');
    const found = new Set(aliases.filter((a) => re.test(a.value)).map((a) => a.value));
    if (found.size === 0) {
      const known = aliases.map((a) => a.value).join(', ') || '(none: every Host line has a wildcard)';
      throw invalid(p.at, `"${pattern}" matches no Host alias of ${sshFile}; its aliases: ${known}`);
    }
    return found;
  };
  const adds = patterns.filter((p) => !p.value.startsWith('!'));
  const picked = adds.length ? new Set(adds.flatMap((p) => [...match(p)])) : new Set(aliases.map((a) => a.value));
  for (const p of patterns.filter((p) => p.value.startsWith('!'))) for (const a of match(p)) picked.delete(a);
  return aliases.filter((a) => picked.has(a.value));
}
