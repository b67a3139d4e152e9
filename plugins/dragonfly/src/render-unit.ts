/** The `dragonfly.service` unit and its root-only EnvironmentFile. */
import { reveal, secret, type Secret } from '@runbook/core';
import { clientHost, DRAGONFLY, type ResolvedDragonflyOptions } from './dragonfly-options.js';

/** `redis-cli` arguments that reach this server (none for the defaults, as in the manual steps). */
export function cliArgs(o: Pick<ResolvedDragonflyOptions, 'bind' | 'port'>): string[] {
  const host = clientHost(o);
  return [...(host === '127.0.0.1' ? [] : ['-h', host]), ...(o.port === 6379 ? [] : ['-p', String(o.port)])];
}

/**
 * The unit of the manual steps, plus the options on ExecStart. The password never appears here:
 * systemd substitutes `${REDISCLI_AUTH}` from the EnvironmentFile as one word, and redis-cli (ExecStop)
 * reads the same variable.
 */
export function renderUnit(o: ResolvedDragonflyOptions, withPassword: boolean): string {
  const exec = [DRAGONFLY.binary, '--dir', DRAGONFLY.home, '--port', String(o.port), '--bind', o.bind];
  if (o.maxMemory !== undefined) exec.push('--maxmemory', o.maxMemory);
  if (withPassword) exec.push('--requirepass', '${REDISCLI_AUTH}');
  return [
    '[Unit]',
    'Description=Dragonfly In-Memory Data Store',
    'After=network.target',
    '',
    '[Service]',
    `User=${DRAGONFLY.user}`,
    `Group=${DRAGONFLY.user}`,
    `EnvironmentFile=${DRAGONFLY.envFile}`,
    `ExecStart=${exec.join(' ')}`,
    `ExecStop=${[DRAGONFLY.cli, ...cliArgs(o), 'shutdown'].join(' ')}`,
    'Restart=always',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** A double-quoted value, read the same by systemd's EnvironmentFile parser and by `sh`'s `.`. */
export const envQuote = (v: string): string => `"${v.replace(/([\\"$`])/g, '\\$1')}"`;

/** The EnvironmentFile (0600 root): `REDISCLI_AUTH="…"` when a password is set; a Secret either way. */
export function renderEnvFile(password?: Secret): Secret {
  const lines = ['# written by runbook (@runbook/dragonfly): the server password (--requirepass) and redis-cli\'s; edits are replaced'];
  if (password) lines.push(`REDISCLI_AUTH=${envQuote(reveal(password))}`);
  return secret(`${lines.join('\n')}\n`, DRAGONFLY.envFile);
}
