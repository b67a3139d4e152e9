import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUnits, unitsScript, unitsStableType, unstableUnits } from './units-stable.js';

const o = { units: ['gunicorn.service', 'celery-a.service'], settle: 2 };
const show = (unit: string, look: 'first' | 'second', props: Record<string, string | number>) =>
  [`== ${look} ${unit}`, ...Object.entries({ LoadState: 'loaded', ActiveState: 'active', SubState: 'running', Result: 'success', NRestarts: 0, ActiveEnterTimestampMonotonic: 100, ...props }).map(([k, v]) => `${k}=${v}`)].join('\n');
const looks = (g1: Record<string, string | number>, g2: Record<string, string | number>, c1: Record<string, string | number> = {}, c2 = c1) =>
  parseUnits({ code: 0, stderr: '', stdout: [show('gunicorn.service', 'first', g1), show('celery-a.service', 'first', c1), show('gunicorn.service', 'second', g2), show('celery-a.service', 'second', c2)].join('\n') + '\n' });

const verdict = test.macro((t, l: ReturnType<typeof parseUnits>, expected: string[]) => t.deepEqual(unstableUnits(l, o), expected));
test('active twice, same start, no restart: steady', verdict, looks({}, {}), []);
test('restarted by Restart=on-failure in between: a crash loop', verdict, looks({}, { NRestarts: 2, ActiveEnterTimestampMonotonic: 900 }), ['gunicorn.service: restarted 2 time(s) within 2 s (crash loop?)']);
test('was active, then failed', verdict, looks({}, { ActiveState: 'failed', SubState: 'failed', Result: 'exit-code' }), ['gunicorn.service: was active, then failed (failed, result exit-code) within 2 s']);
test('never became active (still waiting to restart)', verdict, looks({ ActiveState: 'activating', SubState: 'auto-restart', Result: 'exit-code' }, {}), ['gunicorn.service: activating (auto-restart, result exit-code), not active']);
test('stopped and started again (no automatic restart)', verdict, looks({}, { ActiveEnterTimestampMonotonic: 500 }), ['gunicorn.service: stopped and started again within 2 s']);
test('no such unit; both units reported', verdict, looks({ LoadState: 'not-found', ActiveState: 'inactive' }, {}, { ActiveState: 'inactive', SubState: 'dead' }), [
  'gunicorn.service: no such unit',
  'celery-a.service: inactive (dead), not active',
]);
test('nothing read', verdict, {}, ['gunicorn.service: its state could not be read', 'celery-a.service: its state could not be read']);

test('check: fails naming the units and where to look; a no-op says how long they stayed up; skipped under --check', (t) => {
  t.deepEqual(unitsStableType.check({ looks: looks({}, {}) }, o, {} as never), { noop: 'gunicorn.service, celery-a.service active, no restart in 2 s' });
  t.throws(() => unitsStableType.check({ looks: looks({}, {}, {}, { NRestarts: 1 }) }, o, {} as never), {
    message: 'units not running steadily: celery-a.service: restarted 1 time(s) within 2 s (crash loop?) (see journalctl -u gunicorn.service -u celery-a.service -n 50)',
  });
  t.deepEqual(unitsStableType.facts(o, { check: true } as never), {});
  t.deepEqual(unitsStableType.check({}, o, {} as never), { noop: 'not checked under --check' });
});

test('the script waits out starts, then looks twice: the second once settle seconds passed since the latest activation', (t) => {
  const s = unitsScript(o);
  t.regex(s, /case \$s in activating\|deactivating\|reloading\) ;; \*\) break ;; esac/);
  t.regex(s, /== first %s.*left=\$\(\( 2000000 - .*sleep.*\nfor u in gunicorn\.service celery-a\.service; do printf '== second %s/s);
});

/** The script against a stand-in systemctl whose unit became active `ago` seconds before; how long it took. */
function timed(ago: number, settle: number, proven?: string[]): { ms: number; looks: ReturnType<typeof parseUnits> } {
  const dir = mkdtempSync(join(tmpdir(), 'rb-units-'));
  const up = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\ncase "$*" in *--value*) echo active ;; *) printf 'LoadState=loaded\\nActiveState=active\\nActiveEnterTimestampMonotonic=%s\\nNRestarts=0\\n' ${Math.round((up - ago) * 1e6)} ;; esac\n`, { mode: 0o755 });
  const t0 = Date.now();
  const stdout = execFileSync('sh', ['-c', unitsScript({ units: ['web.service'], settle, proven })], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } }).toString();
  rmSync(dir, { recursive: true, force: true });
  return { ms: Date.now() - t0, looks: parseUnits({ stdout, stderr: '', code: 0 }) };
}

test('real shell: a unit active for longer than settle is looked at again at once; a fresh one after the rest of settle', (t) => {
  const old = timed(10, 1);
  t.true(old.ms < 700, `${old.ms} ms`);
  t.is(old.looks['web.service'].second?.ActiveState, 'active');
  const fresh = timed(0.2, 1);
  t.true(fresh.ms >= 700, `${fresh.ms} ms`);
});

test('real shell: a unit the health check just answered through is looked at twice without the wait', (t) => {
  const fresh = timed(0.2, 1, ['web.service']);
  t.true(fresh.ms < 700, `${fresh.ms} ms`);
  t.is(fresh.looks['web.service'].first?.ActiveState, 'active');
  t.is(fresh.looks['web.service'].second?.ActiveState, 'active');
  t.true(timed(0.2, 1, ['other.service']).ms >= 700, 'another unit proven: this one still waits');
});

test('describe and the no-op say whether the settle was waited', (t) => {
  const proven = { units: ['gunicorn.service'], settle: 2, proven: ['gunicorn.service'] };
  t.is(unitsStableType.describe(proven), 'gunicorn.service active (the health check answered through it)');
  t.is(unitsStableType.describe(o), 'gunicorn.service, celery-a.service stay active for 2 s');
  const look = { LoadState: 'loaded', ActiveState: 'active', NRestarts: '0', ActiveEnterTimestampMonotonic: '5' };
  t.deepEqual(unitsStableType.check({ looks: { 'gunicorn.service': { first: look, second: look } } }, proven, {} as never), { noop: 'gunicorn.service active, no restart' });
});
