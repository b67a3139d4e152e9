/** server.timezone: the link and /etc/timezone, and an unknown zone refused by name. */
import test from 'ava';
import { fakeHost } from '@runbook/testing';
import { timezone } from './timezone-task.js';

const hostWith = (link: string, file: string, known = true) =>
  fakeHost({ facts: (cmd) => (cmd.includes('readlink /etc/localtime') ? `${link}\n${file}\n${known ? 'known' : 'unknown'}\n` : undefined) });

test('timezone: another zone is linked and named', async (t) => {
  const r = await hostWith('/usr/share/zoneinfo/Etc/UTC', 'Etc/UTC').run([timezone({ zone: 'Europe/Berlin' })], { check: false, user: 'root' });
  t.deepEqual(r.results[0].changes, ['time zone Europe/Berlin (was Etc/UTC)']);
  t.is(r.applied[0], "ln -sfn -- /usr/share/zoneinfo/Europe/Berlin /etc/localtime\nprintf '%s\\n' Europe/Berlin > /etc/timezone");
});

test('timezone: in place', async (t) => {
  const r = await hostWith('/usr/share/zoneinfo/Europe/Berlin', 'Europe/Berlin').run([timezone({ zone: 'Europe/Berlin' })]);
  t.is(r.results[0].reason, 'time zone is Europe/Berlin');
  t.deepEqual(r.applied, []);
});

test('timezone: a zone the host does not know fails with its name', async (t) => {
  const r = await hostWith('/usr/share/zoneinfo/Etc/UTC', 'Etc/UTC', false).run([timezone({ zone: 'Mars/Olympus' })]);
  t.deepEqual(r.statuses, ['failed']);
  t.regex(r.results[0].error?.message ?? '', /unknown time zone Mars\/Olympus: no \/usr\/share\/zoneinfo\/Mars\/Olympus/);
});
