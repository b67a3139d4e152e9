/**
 * `nginx.site`: a server block in sites-available, linked in sites-enabled, gated by `nginx -t`. The
 * apply script keeps the previous file, writes the new one atomically (temp file + rename), links it and
 * runs `nginx -t`; when that fails it puts the previous file and link back (or removes the new ones) and
 * exits non-zero with nginx's own first error line, so the running nginx is never left with a config it
 * cannot load.
 */
import { posix } from 'node:path';
import { changes, defineTask, errors, noop, quote, sh, type Command, type FactRequest, type FactRequests, type TaskType } from '@runbook/core';
import { fileFact, unifiedDiff, type FileState } from '@runbook/system';
import { createHash } from 'node:crypto';

export interface NginxSiteOptions {
  /**
   * File name in sites-available (and of the link in sites-enabled).
   * @example 'shop'
   */
  name: string;
  /**
   * The whole server block file.
   * @example renderServerBlock(site)
   */
  content: string;
  /**
   * Directory of the site files.
   * @default '/etc/nginx/sites-available'
   * @example '/etc/nginx/sites-available'
   */
  availableDir?: string;
  /**
   * Directory nginx includes (`include /etc/nginx/sites-enabled/*;`).
   * @default '/etc/nginx/sites-enabled'
   * @example '/etc/nginx/sites-enabled'
   */
  enabledDir?: string;
  /**
   * The command that validates the whole nginx config after the change (argv, quoted word by word).
   * @default ['nginx', '-t']
   * @example ['nginx', '-t', '-c', '/etc/nginx/nginx.conf']
   */
  validateWith?: string[];
  /**
   * The file to serve instead of `content` while any of `pending.paths` is missing on the host: a TLS
   * site before its certificate exists (nginx -t refuses a missing `ssl_certificate`). Re-run the task
   * (e.g. as a handler) once the files exist to switch to `content`.
   * @default undefined
   * @example { paths: ['/etc/letsencrypt/live/shop/fullchain.pem'], content: renderServerBlock({ ...site, tls: undefined }) }
   */
  pending?: { paths: string[]; content: string };
}

interface SiteFacts {
  file: FileState;
  link: FileState;
  /** the pending paths that are missing (only read with `pending`) */
  missing?: string[];
}

export interface SiteState {
  write: boolean;
  link: boolean;
  /** the content to write when it is not `content` (the pending version) */
  content?: string;
}

const MODE = '0644';
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/;

const paths = (o: NginxSiteOptions) => {
  const available = posix.join(o.availableDir ?? '/etc/nginx/sites-available', o.name);
  const enabled = posix.join(o.enabledDir ?? '/etc/nginx/sites-enabled', o.name);
  return { available, enabled };
};

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const lines = (s: string): number => s.split('\n').length - (s.endsWith('\n') ? 1 : 0);

/** The paths of the list that do not exist (one per line). */
export const missingFact = (list: string[]): FactRequest<string[]> => ({
  command: list.map((p) => `[ -e ${quote(p)} ] || printf '%s\\n' ${quote(p)}`).join('\n'),
  parse: (out) => out.stdout.split('\n').filter(Boolean),
});

/** Pure: what must change for the site file and its link. */
export function checkSite(f: SiteFacts, o: NginxSiteOptions) {
  const { available, enabled } = paths(o);
  const missing = o.pending ? (f.missing ?? []) : [];
  const content = missing.length ? o.pending!.content : o.content;
  const waiting = missing.length ? ` (without ${missing.join(', ')}: not there yet)` : '';
  const list: string[] = [];
  if (f.file.kind !== 'file' && f.file.kind !== 'absent') {
    throw errors.options(`name: ${available} is a ${f.file.kind}; expected a regular file or nothing`, { key: 'name' });
  }
  if (f.link.kind !== 'symlink' && f.link.kind !== 'absent') {
    throw errors.options(`name: ${enabled} is a ${f.link.kind}, not a link; move it away first`, { key: 'name' });
  }
  let diff: string | undefined;
  const old = f.file.content?.toString('utf8');
  const attrs = f.file.kind === 'file' && (f.file.mode !== MODE || f.file.uid !== 0 || f.file.gid !== 0);
  const write = f.file.kind === 'absent' || f.file.sha256 !== sha256(content) || attrs;
  if (f.file.kind === 'absent') {
    list.push(`create ${available} (${lines(content)} lines)${waiting}`);
    diff = unifiedDiff(available, undefined, content);
  } else if (f.file.sha256 !== sha256(content)) {
    list.push(`update ${available} (${old === undefined ? 'large file' : `${lines(old)} → ${lines(content)} lines`})${waiting}`);
    diff = old === undefined ? undefined : unifiedDiff(available, old, content);
  }
  if (attrs && !list.length) list.push(`mode/owner ${f.file.mode} ${f.file.owner}:${f.file.group} → ${MODE} root:root`);
  const link = !(f.link.kind === 'symlink' && f.link.target === available);
  if (link) list.push(f.link.kind === 'absent' ? `link ${enabled} → ${available}` : `relink ${enabled}: ${f.link.target} → ${available}`);
  if (!list.length) return noop(`${available} up to date and enabled${waiting}`);
  return changes<SiteState>(list, { diff, state: { write, link, ...(missing.length ? { content } : {}) } });
}

/** The gated apply script: write, link, `nginx -t`, and on failure put everything back. */
export function siteScript(s: SiteState, o: NginxSiteOptions): string {
  const { available, enabled } = paths(o);
  const test = (o.validateWith ?? ['nginx', '-t']).map((w) => quote(w)).join(' ');
  const b64 = Buffer.from(s.content ?? o.content).toString('base64').match(/.{1,76}/g)?.join('\n') ?? '';
  const out = [
    `avail=${quote(available)}; link=${quote(enabled)}; tmp=; bak=; ltmp=; oldlink=`,
    `trap 'rm -f -- "$tmp" "$ltmp"; [ -z "$bak" ] || rm -f -- "$bak"' EXIT`,
  ];
  if (s.write) {
    out.push(
      sh`tmp=$(mktemp ${`${posix.dirname(available)}/.rb.XXXXXX`})`,
      `base64 -d > "$tmp" <<'__RB_EOF'`, b64, '__RB_EOF',
      `chmod ${MODE} -- "$tmp"; chown 0:0 -- "$tmp"`,
      sh`if [ -f "$avail" ]; then bak=$(mktemp ${`${posix.dirname(available)}/.rb.bak.XXXXXX`}); cp -p -- "$avail" "$bak"; fi`,
      'mv -f -- "$tmp" "$avail"; tmp=',
    );
  }
  const relink = (target: string) => [
    sh`ltmp=$(mktemp -u ${`${posix.dirname(enabled)}/.rb.XXXXXX`})`,
    `ln -s -- ${target} "$ltmp" && mv -fT -- "$ltmp" "$link"; ltmp=`,
  ];
  if (s.link) out.push('if [ -L "$link" ]; then oldlink=$(readlink -- "$link"); fi', ...relink('"$avail"'));
  out.push(
    `if ! result=$(${test} 2>&1); then`,
    s.write ? '  if [ -n "$bak" ]; then mv -f -- "$bak" "$avail"; bak=; else rm -f -- "$avail"; fi' : '  :',
    ...(s.link ? ['  if [ -n "$oldlink" ]; then', ...relink('"$oldlink"').map((l) => `    ${l}`), '  else rm -f -- "$link"; fi'] : []),
    // a link to a site file that no longer exists would break every later reload
    '  if [ -L "$link" ] && [ ! -e "$link" ] && [ "$(readlink -- "$link")" = "$avail" ]; then rm -f -- "$link"; fi',
    `  printf '%s\\n' "$result" >&2`,
    `  first=$(printf '%s\\n' "$result" | grep -m1 -E '\\[(emerg|alert|crit|error)\\]' || printf '%s\\n' "$result" | head -n1)`,
    // without a terminal nginx logs `2024/05/01 12:00:00 [emerg] 930#930: …`; keep the message
    `  first=$(printf '%s\\n' "$first" | sed -E 's@^[0-9/]+ [0-9:]+ (\\[[a-z]+\\]) [0-9]+#[0-9]+: @nginx: \\1 @')`,
    `  printf 'nginx -t failed (previous config restored): %s\\n' "$first" >&2`,
    '  exit 1',
    'fi',
  );
  return out.join('\n');
}

export const nginxSiteType: TaskType<NginxSiteOptions, SiteFacts, SiteState> = {
  name: 'nginx.site',
  describe: (o) => paths(o).available,
  validate(o) {
    if (!o || typeof o !== 'object') throw errors.options('options: expected an object');
    if (typeof o.name !== 'string' || !NAME.test(o.name)) throw errors.options(`name: expected a file name (letters, digits, _ . @ -), got ${JSON.stringify(o.name)}`, { key: 'name' });
    if (typeof o.content !== 'string') throw errors.options('content: expected a string', { key: 'content' });
    for (const key of ['availableDir', 'enabledDir'] as const) {
      const v = o[key];
      if (v !== undefined && (typeof v !== 'string' || !v.startsWith('/'))) throw errors.options(`${key}: expected an absolute path, got ${JSON.stringify(v)}`, { key });
    }
    if (o.validateWith !== undefined && (!Array.isArray(o.validateWith) || !o.validateWith.length || o.validateWith.some((w) => typeof w !== 'string'))) {
      throw errors.options('validateWith: expected a non-empty list of words', { key: 'validateWith' });
    }
    if (o.pending !== undefined) {
      const p = o.pending;
      if (!p || typeof p !== 'object' || typeof p.content !== 'string' || !Array.isArray(p.paths) || !p.paths.length || p.paths.some((x) => typeof x !== 'string' || !x.startsWith('/'))) {
        throw errors.options('pending: expected { paths: [absolute paths…], content: string }', { key: 'pending' });
      }
    }
  },
  facts: (o) => ({
    file: fileFact(paths(o).available),
    link: fileFact(paths(o).enabled, 0),
    ...(o.pending ? { missing: missingFact(o.pending.paths) } : {}),
  }) as FactRequests<SiteFacts>,
  check: (f, o) => checkSite(f, o),
  apply: (plan, o): Command[] => [
    { script: siteScript(plan.state!, o), display: `write ${paths(o).available} (gated by nginx -t)` },
  ],
};

/**
 * A server block in sites-available, enabled by a link, changed only when `nginx -t` accepts it.
 * @example nginxSite({ name: 'shop', content: renderServerBlock(site), notify: 'reload nginx' })
 */
export const nginxSite = defineTask(nginxSiteType);
