/**
 * Host facts stated by meaning for table tests: "a file with this content, mode and owner", "a unit
 * active and enabled", "a package installed", "a directory", "a symlink" — instead of copying the fact
 * formats of @runbook/system's primitives (the grouped `stat`/`sha256sum` output, `systemctl show`,
 * `dpkg-query`). `hostState(state)` answers those primitives' fact commands from the state; anything the
 * state does not name is absent (no such path, unit not found, package not installed). The state is read
 * on every answer, so an `onApply` that changes it is what a second run sees.
 */
import { createHash } from 'node:crypto';
import type { FakeAnswer } from './fake-host.js';

export interface FileFixture {
  /** @default '' */
  content?: string | Buffer;
  /** @default '0644' */
  mode?: string;
  /** a name or a numeric id @default 'root' */
  owner?: string;
  /** @default 'root' */
  group?: string;
}

export interface DirectoryFixture {
  /** @default '0755' */
  mode?: string;
  /** @default 'root' */
  owner?: string;
  /** @default 'root' */
  group?: string;
}

export interface UnitFixture {
  /** running (`ActiveState=active`, `SubState=running`) @default false */
  active?: boolean;
  /** `enabled`, `disabled`, or `static` for a unit without an install section @default false (disabled) */
  enabled?: boolean | 'static';
  /** systemd has a changed unit file not yet loaded (`NeedDaemonReload=yes`) @default false */
  needsDaemonReload?: boolean;
}

export interface HostState {
  /** regular files by path: their content (0644 root:root), or content, mode and owner @example { '/etc/x.conf': 'a=1\n' } */
  files?: Record<string, string | Buffer | FileFixture>;
  /** directories: paths (0755 root:root), or by path with mode and owner @example ['/etc/supervisor/conf.d'] */
  directories?: string[] | Record<string, DirectoryFixture>;
  /** symlinks by path: their target @example { '/srv/app/current': '/srv/app/releases/1' } */
  symlinks?: Record<string, string>;
  /** systemd units by name; a unit not named is not found @example { 'supervisor.service': { active: true, enabled: true } } */
  units?: Record<string, UnitFixture>;
  /** installed Debian packages: names, or name → version @example ['supervisor'] */
  packages?: string[] | Record<string, string>;
  /** seconds since the apt cache was refreshed; `Infinity`: never @default 60 */
  aptCacheAge?: number;
}

type Entry =
  | { kind: 'file'; content: Buffer; mode: string; owner: string; group: string }
  | { kind: 'directory'; mode: string; owner: string; group: string }
  | { kind: 'symlink'; target: string };

/** Undoes core's `quote` for one word: bare, or single-quoted with `'\''` for a quote. */
const unquote = (word: string): string => (word.startsWith("'") ? word.slice(1, -1).replace(/'\\''/g, "'") : word);
const WORD = String.raw`('(?:[^']|'\\'')*'|[^\s;'"]+)`;

const IDS: Record<string, number> = { root: 0, daemon: 1, bin: 2, sys: 3, 'www-data': 33, nobody: 65534, nogroup: 65534 };
const idOf = (name: string): number => (/^\d+$/.test(name) ? Number(name) : (IDS[name] ?? 1000 + (createHash('sha256').update(name).digest()[0] % 100)));
/** stat's `%a`: no leading zeros */
const statMode = (mode: string): string => Number.parseInt(mode, 8).toString(8);

function entries(state: HostState): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [path, f] of Object.entries(state.files ?? {})) {
    const fx: FileFixture = typeof f === 'string' || Buffer.isBuffer(f) ? { content: f } : f;
    out.set(path, { kind: 'file', content: Buffer.from(fx.content ?? ''), mode: fx.mode ?? '0644', owner: fx.owner ?? 'root', group: fx.group ?? 'root' });
  }
  const dirs: Record<string, DirectoryFixture> = Array.isArray(state.directories) ? Object.fromEntries(state.directories.map((d) => [d, {}])) : (state.directories ?? {});
  for (const [path, d] of Object.entries(dirs)) out.set(path, { kind: 'directory', mode: d.mode ?? '0755', owner: d.owner ?? 'root', group: d.group ?? 'root' });
  for (const [path, target] of Object.entries(state.symlinks ?? {})) out.set(path, { kind: 'symlink', target });
  return out;
}

/** The stat line (`mode|uid|owner|gid|group|size`) of an entry. */
function statLine(e: Entry): string {
  if (e.kind === 'symlink') return `777|0|root|0|root|${Buffer.byteLength(e.target)}`;
  const size = e.kind === 'file' ? e.content.length : 4096;
  return [statMode(e.mode), idOf(e.owner), e.owner, idOf(e.group), e.group, size].join('|');
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

/** What @runbook/system's one-path file fact prints. */
function singleFileAnswer(e: Entry | undefined, withContent: (e: Buffer) => boolean): string {
  if (!e) return 'absent\n';
  const head = `${e.kind}|${statLine(e)}\n`;
  if (e.kind === 'file') return `${head}${sha256(e.content)}\n${withContent(e.content) ? b64(e.content) : '-'}\n`;
  if (e.kind === 'symlink') return `${head}${b64(e.target)}\n`;
  return head;
}

/** What the grouped file fact (one `stat`, one `sha256sum` for many paths) prints for these paths. */
function groupedFileAnswer(command: string, fs: Map<string, Entry>): string {
  const paths = [...command.matchAll(new RegExp(String.raw`^p(\d+)=${WORD}; if \[ -L`, 'gm'))].map((m) => unquote(m[2]));
  const got = paths.map((p) => fs.get(p));
  const lines = [`@@k ${got.map((e) => e?.kind ?? 'absent').join(' ')}`];
  for (const e of got) if (e) lines.push(statLine(e));
  lines.push('@@s');
  got.forEach((e, i) => e?.kind === 'file' && lines.push(`${sha256(e.content)}  ${paths[i]}`));
  got.forEach((e, i) => {
    const j = i + 1;
    if (e?.kind === 'file' && command.includes(`echo @@c${j};`)) {
      // the content travels only when it differs from what the task writes (its expected sha256)
      const expect = new RegExp(String.raw`\[ "\$k${j}" = file \] && eval "s=\\\$s\$f${j}" && \[ "\$s" != ([0-9a-f]{64}) \]`).exec(command)?.[1];
      if (expect !== sha256(e.content)) lines.push(`@@c${j}`, b64(e.content));
    }
    if (e?.kind === 'symlink') lines.push(`@@l${j}`, b64(e.target));
  });
  return `${lines.join('\n')}\n`;
}

function unitAnswer(u: UnitFixture | undefined): string {
  const show = u
    ? {
        LoadState: 'loaded',
        ActiveState: u.active ? 'active' : 'inactive',
        SubState: u.active ? 'running' : 'dead',
        UnitFileState: u.enabled === 'static' ? 'static' : u.enabled ? 'enabled' : 'disabled',
        NeedDaemonReload: u.needsDaemonReload ? 'yes' : 'no',
      }
    : { LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead', UnitFileState: '', NeedDaemonReload: 'no' };
  return `${Object.entries(show).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

const packagesOf = (state: HostState): Record<string, string> =>
  Array.isArray(state.packages) ? Object.fromEntries(state.packages.map((p) => [p, '1.0-1'])) : (state.packages ?? {});

const words = (list: string): string[] => [...list.matchAll(new RegExp(WORD, 'g'))].map((m) => unquote(m[1]));

/**
 * Answers @runbook/system's fact commands from a host state; undefined for any other command (a fake
 * host then fails the task naming it). Give it to `fakeHost({ state })`, or call it from a `facts` function.
 * @example fakeHost({ state: { packages: ['supervisor'], units: { 'supervisor.service': { active: true, enabled: true } } } })
 */
export function hostState(state: HostState): (command: string) => FakeAnswer | undefined {
  return (command) => {
    if (/^p1=/.test(command) && command.includes('@@k ')) return groupedFileAnswer(command, entries(state));
    const single = new RegExp(String.raw`^p=${WORD}\nif \[ -L "\$p" \]`).exec(command);
    if (single) {
      const expect = /\[ "\$s" = ([0-9a-f]{64}) \] \|\| /.exec(command)?.[1];
      const none = command.includes('if true || [');
      const limit = Number(/ -gt (\d+) \]; then echo '-'/.exec(command)?.[1] ?? Infinity);
      return singleFileAnswer(entries(state).get(unquote(single[1])), (c) => !none && sha256(c) !== expect && c.length <= limit);
    }
    const show = new RegExp(String.raw`^systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- ${WORD}$`).exec(command);
    if (show) return unitAnswer(state.units?.[unquote(show[1])]);
    const dpkg = /^LC_ALL=C dpkg-query -W -f='\$\{Package\}\\t\$\{Status\}\\t\$\{Version\}\\n' -- (.+) 2>\/dev\/null \|\| \[ \$\? -eq 1 \]$/.exec(command);
    if (dpkg) {
      const installed = packagesOf(state);
      return words(dpkg[1]).filter((p) => installed[p.split(':')[0]] !== undefined)
        .map((p) => `${p.split(':')[0]}\tinstall ok installed\t${installed[p.split(':')[0]]}\n`).join('');
    }
    const policy = /^LC_ALL=C apt-cache policy (.+)$/.exec(command);
    if (policy) {
      const installed = packagesOf(state);
      return words(policy[1]).map((p) => `${p}:\n  Installed: ${installed[p.split(':')[0]] ?? '(none)'}\n  Candidate: ${installed[p.split(':')[0]] ?? '1.0-1'}\n`).join('');
    }
    if (command.startsWith('s=0; l=0; [ ! -e /var/lib/apt/periodic/update-success-stamp ]')) {
      const age = state.aptCacheAge ?? 60;
      const now = 1_800_000_000;
      return age === Infinity ? `${now} 0 0\n` : `${now} ${now - age} 0\n`;
    }
    return undefined;
  };
}
