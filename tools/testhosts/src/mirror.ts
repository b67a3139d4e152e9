// The Debian mirror is whatever this machine's own apt uses; never a hard-coded host.
import fs from 'node:fs';
import path from 'node:path';

/** First `URIs:` of a deb822 .sources text that serves plain Debian (not -security). */
export function mirrorFromDeb822(text: string): string | undefined {
  const uris: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^URIs:\s*(.+)$/i.exec(line.trim());
    if (m) uris.push(...m[1].trim().split(/\s+/));
  }
  return pickMirror(uris);
}

/** First `deb <uri> …` line of a one-line-style sources.list text (options in [] allowed). */
export function mirrorFromSourcesList(text: string): string | undefined {
  const uris: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
    if (m) uris.push(m[1]);
  }
  return pickMirror(uris);
}

function pickMirror(uris: string[]): string | undefined {
  const http = uris.filter((u) => /^https?:\/\//.test(u));
  const main = http.find((u) => !/-security\/?$/.test(u)) ?? http[0];
  return main?.replace(/\/+$/, '');
}

/** The security archive is the same host's /debian-security. */
export function securityFor(mirror: string): string {
  const u = new URL(mirror);
  return `${u.protocol}//${u.host}/debian-security`;
}

/**
 * A host's apt sources for `release` from `mirror` (the release, its -updates and its -security suites, main),
 * in the format a fresh install of that release has: one-line `sources.list` on bookworm, deb822
 * `sources.list.d/debian.sources` from trixie on. Paths are relative to the root.
 */
export function aptSources(release: string, mirror: string): { path: string; text: string } {
  if (release === 'bookworm') {
    return {
      path: 'etc/apt/sources.list',
      text: [`deb ${mirror} ${release} main`, `deb ${mirror} ${release}-updates main`, `deb ${securityFor(mirror)} ${release}-security main`, ''].join('\n'),
    };
  }
  const stanza = (uri: string, suites: string) =>
    [`Types: deb`, `URIs: ${uri}`, `Suites: ${suites}`, 'Components: main', 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg', ''].join('\n');
  return {
    path: 'etc/apt/sources.list.d/debian.sources',
    text: [stanza(mirror, `${release} ${release}-updates`), stanza(securityFor(mirror), `${release}-security`)].join('\n'),
  };
}

export function mirrorHost(mirror: string): string {
  return new URL(mirror).host;
}

/** Reads /etc/apt/sources.list.d/*.sources, then /etc/apt/sources.list (and *.list). */
export function readMirror(aptDir = '/etc/apt'): string {
  const d = path.join(aptDir, 'sources.list.d');
  const files = fs.existsSync(d) ? fs.readdirSync(d).sort() : [];
  for (const f of files.filter((f) => f.endsWith('.sources'))) {
    const m = mirrorFromDeb822(fs.readFileSync(path.join(d, f), 'utf8'));
    if (m) return m;
  }
  const lists = [path.join(aptDir, 'sources.list'), ...files.filter((f) => f.endsWith('.list')).map((f) => path.join(d, f))];
  for (const f of lists) {
    if (!fs.existsSync(f)) continue;
    const m = mirrorFromSourcesList(fs.readFileSync(f, 'utf8'));
    if (m) return m;
  }
  throw new Error(`no Debian mirror found in ${aptDir}/sources.list.d/*.sources or ${aptDir}/sources.list`);
}
