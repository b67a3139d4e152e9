import test from 'ava';
import { restartUnitsType } from './restart-units.js';

const o = { units: ['gunicorn.service', 'celery-a.service'], current: '/srv/a/current', marker: '/srv/a/.env-restart-pending' };
const ctx = (check = false) => ({ alias: 'h', user: 'root', runAs: 'root', vars: {}, check });
const plan = test.macro((t, facts: { live: boolean; pending: boolean }, check: boolean, expected: unknown, units: string[] = o.units) => {
  t.deepEqual(restartUnitsType.check(facts, { ...o, units }, ctx(check)), expected);
});
test('live and the content changed: restart', plan, { live: true, pending: true }, false, { changes: ['restart gunicorn.service, celery-a.service'] });
test('not live: nothing to restart', plan, { live: false, pending: true }, false, { noop: 'the app is not live yet (no /srv/a/current): its first deploy starts it' });
test('only the mode or owner changed: no restart', plan, { live: true, pending: false }, false, { noop: 'the .env content is unchanged (only its mode or owner was set)' });
test('--check: the restart a changed .env would cause', plan, { live: true, pending: false }, true, { changes: ['restart gunicorn.service, celery-a.service'] });
test('no unit on this host', plan, { live: true, pending: true }, false, { noop: 'no unit runs the app here' }, []);

test('the command: only units that exist restart; the marker goes after them', (t) => {
  const [cmd] = restartUnitsType.apply({ changes: [] }, o, ctx());
  t.is(cmd.display, 'systemctl restart gunicorn.service celery-a.service');
  t.regex(cmd.script, /^for u in gunicorn\.service celery-a\.service; do\n.*LoadState --value -- "\$u"\)" = loaded \]; then\n +systemctl reset-failed -- "\$u" 2>\/dev\/null \|\| :\n +systemctl restart -- "\$u"\n +fi\ndone\nrm -f -- \/srv\/a\/\.env-restart-pending$/);
  t.throws(() => restartUnitsType.validate!({ ...o, units: ['a b'] }), { message: /units: expected systemd unit names/ });
});
