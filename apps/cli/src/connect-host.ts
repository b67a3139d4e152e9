/** The connection for an inventory host: local for `localhost`, SSH otherwise. */
import { LocalConnection, SshConnection, type Connection, type HostSpec, type SshOptions } from '@runbook/core';

export function connectHost(spec: HostSpec, opts: SshOptions): Promise<Connection> {
  if (spec.alias === 'localhost' && ['localhost', '127.0.0.1'].includes(spec.hostname)) {
    return Promise.resolve(new LocalConnection(spec.alias));
  }
  return SshConnection.connect(spec, opts);
}
