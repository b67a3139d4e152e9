/** The connection for an inventory host: local for `localhost`, SSH otherwise. */
import { LocalConnection, SshConnection, type Connection, type HostSpec, type HostKeyPolicy } from '@runbook/core';

export function connectHost(spec: HostSpec, opts: { hostKeyPolicy?: HostKeyPolicy; projectKnownHosts: string }): Promise<Connection> {
  if (spec.alias === 'localhost' && ['localhost', '127.0.0.1'].includes(spec.hostname)) {
    return Promise.resolve(new LocalConnection(spec.alias));
  }
  return SshConnection.connect(spec, opts);
}
