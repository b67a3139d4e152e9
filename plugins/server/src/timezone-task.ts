/**
 * `server.timezone`: /etc/localtime links to the zone's file and /etc/timezone names it (what
 * `timedatectl set-timezone` does, without needing systemd-timedated). An unknown zone fails with its
 * name rather than a dangling link.
 */
import { changes, defineTask, errors, noop, quote } from '@runbook/core';

export interface TimezoneOptions {
  /** @example 'Europe/Berlin' */
  zone: string;
}

export interface TimezoneFacts { link: string; file: string; known: boolean }

const zoneFile = (zone: string): string => `/usr/share/zoneinfo/${zone}`;

export const timezone = defineTask<TimezoneOptions, { tz: TimezoneFacts }, void>({
  name: 'server.timezone',
  describe: (o) => `time zone ${o.zone}`,
  validate(o) {
    if (typeof o.zone !== 'string' || !/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(o.zone)) throw errors.options(`zone must be a zone name like "Europe/Berlin", got ${JSON.stringify(o.zone)}`, { key: 'zone' });
  },
  facts: (o) => ({
    tz: {
      command: `readlink /etc/localtime || true; cat /etc/timezone 2>/dev/null || echo; [ -f ${quote(zoneFile(o.zone))} ] && echo known || echo unknown`,
      parse: (r) => {
        const [link = '', file = '', known = ''] = r.stdout.split('\n');
        return { link, file, known: known === 'known' };
      },
    },
  }),
  check({ tz }, o) {
    if (tz.link === zoneFile(o.zone) && tz.file === o.zone) return noop(`time zone is ${o.zone}`);
    if (!tz.known) throw errors.fact(`unknown time zone ${o.zone}: no ${zoneFile(o.zone)} on the host (is tzdata installed?)`);
    return changes([`time zone ${o.zone} (was ${tz.file || tz.link || 'unset'})`]);
  },
  apply: (_p, o) => [{
    script: `ln -sfn -- ${quote(zoneFile(o.zone))} /etc/localtime\nprintf '%s\\n' ${quote(o.zone)} > /etc/timezone`,
    display: `time zone ${o.zone}`,
  }],
});
