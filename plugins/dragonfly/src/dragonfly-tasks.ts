/**
 * The dragonfly tasks by name, in the order of the manual steps they replace. Each takes the resolved
 * options and, where needed, the password of this env.
 */
import { quote, type CommonOptions, type Secret, type Task } from '@runbook/core';
import { apt, command, directory, download, file, systemdUnit, user } from '@runbook/system';
import { DRAGONFLY, type ResolvedDragonflyOptions } from './dragonfly-options.js';
import { ping } from './ping.js';
import { restart, server } from './server.js';
import { cliArgs, renderEnvFile, renderUnit } from './render-unit.js';

type Extra = Pick<CommonOptions, 'notify' | 'tags' | 'when'>;

/** The name of the restart handler, for other plugins' tasks to notify. */
export const RESTART_HANDLER = 'restart dragonfly';

/** `redis-tools`, for `redis-cli` (ExecStop and the PONG check). */
export const dragonflyPackages = (extra: Extra = {}): Task => apt({ packages: ['redis-tools'], ...extra });

/**
 * `adduser dragonfly --group --system --disabled-password --home /var/lib/dragonfly --shell /bin/bash`
 * and `chmod o+rx /var/lib/dragonfly` (the home ends up 0755, owned by dragonfly).
 */
export const dragonflyUser = (): Task[] => [
  user({ name: DRAGONFLY.user, system: true, group: DRAGONFLY.user, home: DRAGONFLY.home, createHome: true, shell: DRAGONFLY.shell }),
  directory({ path: DRAGONFLY.home, owner: DRAGONFLY.user, group: DRAGONFLY.user, mode: '0755' }),
];

/**
 * The executable at /usr/local/bin/dragonfly, pinned by sha256 (a mismatch leaves the old one). From an
 * archive: the archive is downloaded (pinned) into /var/cache/dragonfly, and the member is installed
 * through a temp file + rename unless the installed binary already has the same bytes.
 */
export function dragonflyBinary(o: ResolvedDragonflyOptions, extra: Extra = {}): Task[] {
  const root = { owner: 'root', group: 'root' };
  if (!o.archive) return [download({ url: o.url, sha256: o.sha256, dest: DRAGONFLY.binary, mode: '0755', ...root, ...extra })];
  const a = quote(o.archive.cache);
  const m = quote(o.archive.member);
  const bin = quote(DRAGONFLY.binary);
  return [
    directory({ path: DRAGONFLY.cacheDir, mode: '0755', ...root }),
    download({ url: o.url, sha256: o.sha256, dest: o.archive.cache, mode: '0644', ...root }),
    command({
      title: `${DRAGONFLY.binary} from ${o.archive.member} in ${o.archive.cache}`,
      run: [
        `tmp=$(mktemp ${quote(`${DRAGONFLY.binary}.rb.XXXXXX`)})`,
        `trap 'rm -f "$tmp"' EXIT`,
        `tar -xzOf ${a} -- ${m} > "$tmp"`,
        `[ -s "$tmp" ] || { echo ${quote(`${o.archive.member} is empty or missing in ${o.archive.cache}`)} >&2; exit 1; }`,
        'chmod 0755 "$tmp"',
        `mv -f -- "$tmp" ${bin}`,
      ].join('\n'),
      // the same bytes installed already (re-read on every run: a hand-replaced binary is put back)
      unless: `tar -xzOf ${a} -- ${m} 2>/dev/null | cmp -s - ${bin} && [ "$(stat -c %a:%U:%G ${bin})" = 755:root:root ]`,
      ...extra,
    }),
  ];
}

/** /etc/dragonfly (0755) and the unit's EnvironmentFile (0600 root; content hidden). */
export const dragonflyEnvFile = (password: Secret | undefined, extra: Extra = {}): Task[] => [
  directory({ path: '/etc/dragonfly', owner: 'root', group: 'root', mode: '0755' }),
  file({ path: DRAGONFLY.envFile, content: renderEnvFile(password), owner: 'root', group: 'root', mode: '0600', ...extra }),
];

/**
 * dragonfly.service: written (daemon-reload on change), enabled, started. Restarting a running server
 * whose unit changed is left to `dragonflyServer`, which also sees a new binary or password.
 */
export const dragonflyService = (o: ResolvedDragonflyOptions, withPassword: boolean, extra: Extra = {}): Task =>
  systemdUnit({ name: DRAGONFLY.unit, content: renderUnit(o, withPassword), enabled: true, state: 'started', restartOnChange: false, ...extra });

/** Restarts the server if it started before its binary, unit or EnvironmentFile changed; then PONG. */
export const dragonflyServer = (o: ResolvedDragonflyOptions): Task => server({ cliArgs: cliArgs(o) });

/** `redis-cli ping` answers PONG (waits up to ~10 s). */
export const dragonflyPing = (o: ResolvedDragonflyOptions): Task => ping({ cliArgs: cliArgs(o) });

/** The handler (for other plugins to notify): restart dragonfly.service and wait for PONG. */
export const dragonflyRestart = (o: ResolvedDragonflyOptions): Task => restart({ cliArgs: cliArgs(o) });
