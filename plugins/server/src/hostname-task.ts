/**
 * `server.hostname`: /etc/hostname, the running host name, and the 127.0.1.1 line of /etc/hosts (Debian's
 * way to resolve the own name: without it sudo warns "unable to resolve host" on every call).
 */
import { changes, defineTask, errors, noop, quote } from '@runbook/core';
import { isHostname } from './options.js';

export interface HostnameOptions {
  /** @example 'web-1' */
  name: string;
}

export interface HostnameFacts { file: string; running: string; hostsLine: string }

/** `127.0.1.1<TAB>web-1.example.com web-1`: the name, and its short form when it has dots */
export const hostsLine = (name: string): string => {
  const short = name.split('.')[0];
  return `127.0.1.1\t${name}${short !== name ? ` ${short}` : ''}`;
};

export const hostname = defineTask<HostnameOptions, { names: HostnameFacts }, void>({
  name: 'server.hostname',
  describe: (o) => `host name ${o.name}`,
  validate(o) {
    if (typeof o.name !== 'string' || !isHostname(o.name)) throw errors.options(`name must be a host name, got ${JSON.stringify(o.name)}`, { key: 'name' });
  },
  facts: () => ({
    names: {
      command: "cat /etc/hostname 2>/dev/null || echo; hostname; awk '$1 == \"127.0.1.1\"' /etc/hosts | head -n 1",
      parse: (r) => {
        const [file = '', running = '', line = ''] = r.stdout.split('\n');
        return { file: file.trim(), running: running.trim(), hostsLine: line.trim().replace(/\s+/g, ' ') };
      },
    },
  }),
  check({ names }, o) {
    const wantLine = hostsLine(o.name).replace(/\s+/g, ' ');
    const lines = [
      ...(names.file !== o.name ? [`/etc/hostname: ${o.name} (was ${names.file || 'empty'})`] : []),
      ...(names.running !== o.name ? [`hostname ${o.name} (was ${names.running})`] : []),
      ...(names.hostsLine !== wantLine ? [`/etc/hosts: ${wantLine}`] : []),
    ];
    if (lines.length === 0) return noop(`host name is ${o.name}`);
    return changes(lines);
  },
  apply: (_p, o) => {
    const line = quote(hostsLine(o.name));
    return [{
      script: [
        `printf '%s\\n' ${quote(o.name)} > /etc/hostname`,
        `hostname ${quote(o.name)}`,
        // replace the 127.0.1.1 line, or add one (the name is letters, digits, dots and hyphens)
        `if grep -q '^127\\.0\\.1\\.1[[:space:]]' /etc/hosts; then sed -i ${quote(`s/^127\\.0\\.1\\.1[[:space:]].*/${hostsLine(o.name)}/`)} /etc/hosts; else printf '%s\\n' ${line} >> /etc/hosts; fi`,
      ].join('\n'),
      display: `host name ${o.name}`,
    }];
  },
});
