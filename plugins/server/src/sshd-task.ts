/**
 * `server.sshd`: the hardening drop-in for sshd. It refuses to write a file that would lock the run out
 * (the login user has no authorized key, so turning password logins off would leave no way in), writes
 * it atomically, and lets `sshd -t` judge the result: when sshd rejects it, the previous file is put back
 * and the task fails with sshd's message. Reloading ssh is the notified handler's job (on change only).
 *
 * The file is named 00-…: sshd takes the first value it reads for a keyword, and Debian includes
 * sshd_config.d/*.conf in name order at the top of sshd_config, so a later drop-in (cloud-init's
 * 50-cloud-init.conf sets `PasswordAuthentication yes`) cannot undo it.
 */
import { changes, defineTask, errors, noop, quote } from '@runbook/core';
import { unifiedDiff } from '@runbook/system';

export const SSHD_DROP_IN = '/etc/ssh/sshd_config.d/00-runbook.conf';

export interface SshdOptions {
  /** the login user of the run: must have an authorized key */
  user: string;
  rootLogin: 'no' | 'prohibit-password';
  /** @default SSHD_DROP_IN */
  path?: string;
}

export interface SshdFacts {
  /** the drop-in's content; null when there is none */
  current: string | null;
  /** how many key lines the login user's authorized_keys files hold */
  keys: number;
  /** sshd_config includes sshd_config.d/*.conf (else a drop-in does nothing) */
  included: boolean;
}

export const renderSshd = (o: SshdOptions): string => [
  '# written by Runbook (@runbook/server): changes here are overwritten',
  'PasswordAuthentication no',
  'KbdInteractiveAuthentication no',
  `PermitRootLogin ${o.rootLogin}`,
  '',
].join('\n');

const KEY_LINE = '(^|[[:space:]])(ssh-(ed25519|rsa|dss)|ecdsa-sha2-[a-z0-9]+|sk-[a-z0-9@.-]+) ';

export const sshd = defineTask<SshdOptions, SshdFacts, { content: string; existed: boolean }>({
  name: 'server.sshd',
  describe: (o) => `${o.path ?? SSHD_DROP_IN}: no password logins, root login ${o.rootLogin}`,
  validate(o) {
    if (typeof o.user !== 'string' || !/^[a-z_][a-z0-9_.-]*\$?$/i.test(o.user)) throw errors.options(`user must be a login name, got ${JSON.stringify(o.user)}`, { key: 'user' });
    if (o.rootLogin !== 'no' && o.rootLogin !== 'prohibit-password') throw errors.options(`rootLogin must be "no" or "prohibit-password", got ${JSON.stringify(o.rootLogin)}`, { key: 'rootLogin' });
  },
  facts: (o) => ({
    current: { command: `cat -- ${quote(o.path ?? SSHD_DROP_IN)}`, parse: (r) => (r.code === 0 ? r.stdout : null) },
    keys: {
      command: `h=$(getent passwd ${quote(o.user)} | cut -d: -f6); [ -n "$h" ] && cat -- "$h/.ssh/authorized_keys" "$h/.ssh/authorized_keys2" 2>/dev/null | grep -Ec ${quote(KEY_LINE)} || true`,
      parse: (r) => Number(r.stdout.trim() || '0'),
    },
    included: {
      command: "grep -Eqs '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/\\*\\.conf' /etc/ssh/sshd_config && echo yes || echo no",
      parse: (r) => r.stdout.trim() === 'yes',
    },
  }),
  check(f, o) {
    const path = o.path ?? SSHD_DROP_IN;
    const content = renderSshd(o);
    if (f.current === content) return noop(`${path} up to date: no password logins, root login ${o.rootLogin}`);
    if (f.keys === 0) {
      throw errors.fact(`refusing to turn password logins off: ${o.user} (the login user of this run) has no authorized key in ~/.ssh/authorized_keys, so the next login could fail; add a key first, or set server({ ssh: false })`);
    }
    if (!f.included) throw errors.fact(`/etc/ssh/sshd_config does not include /etc/ssh/sshd_config.d/*.conf: ${path} would have no effect`);
    return changes([`${f.current === null ? 'create' : 'rewrite'} ${path}`], {
      state: { content, existed: f.current !== null },
      diff: unifiedDiff(path, f.current ?? undefined, content),
    });
  },
  apply: (p, o) => {
    const path = o.path ?? SSHD_DROP_IN;
    const q = quote(path);
    const prev = quote(`${path}.rb-prev`);
    const script = [
      `mkdir -p -- ${quote(path.replace(/\/[^/]+$/, ''))}`,
      `if [ -e ${q} ]; then cp -p -- ${q} ${prev}; else rm -f -- ${prev}; fi`,
      `tmp=$(mktemp ${quote(`${path}.rb.XXXXXX`)}) && printf %s ${quote(p.state!.content)} > "$tmp" && chmod 0644 "$tmp" && mv -f -- "$tmp" ${q}`,
      // sshd -t judges the whole config with the new file in it; on failure the old one goes back
      `if ! err=$(sshd -t 2>&1); then`,
      `  if [ -e ${prev} ]; then mv -f -- ${prev} ${q}; else rm -f -- ${q}; fi`,
      // sshd's own lines first: the error message shows the last line, which says what happened
      `  printf '%s\\nsshd -t rejected the config; the previous %s is restored\\n' "$err" ${q} >&2; exit 1`,
      'fi',
      `rm -f -- ${prev}`,
    ].join('\n');
    return [{ script, display: `write ${path} (gated by sshd -t)` }];
  },
});
