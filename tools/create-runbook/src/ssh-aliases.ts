/**
 * The aliases an ssh config names (Host lines without wildcards or negation) and each one's HostName,
 * read as plainly as a person would: the inventory imports them by name, Runbook resolves the rest.
 */
export interface SshAlias {
  alias: string;
  /** the HostName of its own block, if it has one */
  hostname?: string;
}

export function sshAliases(text: string): SshAlias[] {
  const out: SshAlias[] = [];
  let block: SshAlias[] = [];
  for (const raw of text.split('\n')) {
    const m = /^\s*(\w+)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(raw.replace(/#.*/, ''));
    if (!m) continue;
    const [, keyword, value] = m;
    if (/^(host|match)$/i.test(keyword)) {
      const names = keyword.toLowerCase() === 'host' ? [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((t) => t[1] ?? t[2]) : [];
      block = names.filter((n) => n && !/[*?!]/.test(n)).map((alias) => {
        const seen = out.find((a) => a.alias === alias);
        if (seen) return seen;
        const entry = { alias };
        out.push(entry);
        return entry;
      });
    } else if (/^hostname$/i.test(keyword)) {
      for (const a of block) a.hostname ??= value.replace(/^"|"$/g, '');
    }
  }
  return out;
}
