import test from 'ava';
import { MissingObject, overlaps } from '@runbook/core';
import { createHash } from 'node:crypto';
import type { FileState } from './file-fact.js';
import { checkUnit, parseShow, systemdUnit, systemdUnitType, type SystemdUnitOptions, type UnitShow } from './systemd-unit.js';

// `systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- nginx.service` on bookworm
const RECORDED = 'LoadState=loaded\nActiveState=active\nSubState=running\nNeedDaemonReload=no\nUnitFileState=enabled\n';

test('parses systemctl show', (t) => {
  t.deepEqual(parseShow(RECORDED), { LoadState: 'loaded', ActiveState: 'active', SubState: 'running', UnitFileState: 'enabled', NeedDaemonReload: 'no' });
  t.deepEqual(systemdUnitType.facts({ name: 'a.service' }, {} as never).show.command,
    'systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- a.service');
});

const UNIT = '[Service]\nExecStart=/bin/true\n';
const running: UnitShow = parseShow(RECORDED);
const stopped: UnitShow = { LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead', UnitFileState: 'disabled', NeedDaemonReload: 'no' };
const notFound: UnitShow = { LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead', UnitFileState: '', NeedDaemonReload: 'no' };
const crashLooping: UnitShow = { LoadState: 'loaded', ActiveState: 'activating', SubState: 'auto-restart', UnitFileState: 'enabled', NeedDaemonReload: 'no' };
const same: FileState = { kind: 'file', mode: '0644', uid: 0, owner: 'root', gid: 0, group: 'root', sha256: createHash('sha256').update(UNIT).digest('hex'), content: Buffer.from(UNIT) };
const old: FileState = { ...same, sha256: 'f'.repeat(64), content: Buffer.from('[Service]\nExecStart=/bin/false\n') };

const plan = test.macro((t, f: { show: UnitShow; file?: FileState }, o: SystemdUnitOptions, expected: unknown) => {
  const p = checkUnit(f, o);
  if ('noop' in p) return t.deepEqual(p, expected);
  const cmds = systemdUnitType.apply(p, o, {} as never).map((c) => c.display);
  t.deepEqual({ changes: p.changes, commands: cmds }, expected);
});

test('crash-looping (activating, auto-restart) is not running: start', plan, { show: crashLooping, file: same },
  { name: 'app.service', content: UNIT, enabled: true, state: 'started' },
  { changes: ['start app.service'], commands: ['systemctl start app.service'] });
test('up to date, running, enabled: noop', plan, { show: running, file: same }, { name: 'nginx.service', content: UNIT, enabled: true, state: 'started' },
  { noop: 'nginx.service active, enabled, unit file up to date' });
test('new unit: write, daemon-reload, enable, start', plan, { show: notFound, file: { kind: 'absent' } },
  { name: 'app.service', content: UNIT, enabled: true, state: 'started' },
  {
    changes: ['create /etc/systemd/system/app.service (30 bytes, mode 0644, owner root, group root)', 'daemon-reload', 'enable app.service', 'start app.service'],
    commands: ['write /etc/systemd/system/app.service', 'systemctl daemon-reload', 'systemctl enable app.service', 'systemctl start app.service'],
  });
test('changed unit while running: restart once', plan, { show: running, file: old }, { name: 'nginx.service', content: UNIT, state: 'started' },
  {
    changes: ['update content of /etc/systemd/system/nginx.service (2 → 2 lines)', 'daemon-reload', 'restart nginx.service (unit changed)'],
    commands: ['write /etc/systemd/system/nginx.service', 'systemctl daemon-reload', 'systemctl restart nginx.service'],
  });
test('changed unit, restartOnChange false: no restart', plan, { show: running, file: old }, { name: 'nginx.service', content: UNIT, state: 'started', restartOnChange: false },
  {
    changes: ['update content of /etc/systemd/system/nginx.service (2 → 2 lines)', 'daemon-reload'],
    commands: ['write /etc/systemd/system/nginx.service', 'systemctl daemon-reload'],
  });
test('NeedDaemonReload=yes alone reloads systemd', plan, { show: { ...running, NeedDaemonReload: 'yes' } }, { name: 'nginx.service' },
  { changes: ['daemon-reload (systemd says the unit changed on disk)'], commands: ['systemctl daemon-reload'] });
test('stopped → stop; disable', plan, { show: running }, { name: 'nginx.service', state: 'stopped', enabled: false },
  { changes: ['disable nginx.service', 'stop nginx.service'], commands: ['systemctl disable nginx.service', 'systemctl stop nginx.service'] });
test('restarted always changes', plan, { show: running }, { name: 'nginx.service', state: 'restarted' },
  { changes: ['restart nginx.service'], commands: ['systemctl restart nginx.service'] });
test('reloaded on a running unit: reload', plan, { show: running }, { name: 'nginx.service', state: 'reloaded' },
  { changes: ['reload nginx.service'], commands: ['systemctl reload nginx.service'] });
test('reloaded on a stopped unit: start', plan, { show: stopped }, { name: 'nginx.service', state: 'reloaded' },
  { changes: ['start nginx.service'], commands: ['systemctl start nginx.service'] });
test('static unit counts as enabled', plan, { show: { ...running, UnitFileState: 'static' } }, { name: 'x.timer', enabled: true },
  { noop: 'x.timer active, static' });
test('stopped and not found: noop', plan, { show: notFound }, { name: 'gone.service', state: 'stopped' }, { noop: 'gone.service inactive, not-found' });

test('not found without content fails, with what it would do once a package brings the unit (for --check)', (t) => {
  const cases: [SystemdUnitOptions, string[]][] = [
    [{ name: 'x.service', state: 'started' }, ['start x.service']],
    [{ name: 'x.service', state: 'started', enabled: true }, ['enable x.service', 'start x.service']],
    [{ name: 'x.service', state: 'reloaded' }, ['start x.service']],
    [{ name: 'x.service', state: 'restarted' }, ['restart x.service']],
  ];
  for (const [o, predicted] of cases) {
    const e = t.throws(() => checkUnit({ show: notFound }, o), { instanceOf: MissingObject, message: /not found on the host/ });
    t.is(e?.code, 'E_OPTIONS');
    t.is(e?.object, 'x.service');
    t.deepEqual(e?.predicted, predicted);
  }
});

test('validation: unit names', (t) => {
  t.throws(() => systemdUnit({ name: 'nginx' }), { message: /systemd.unit: name: expected a unit name ending in .service/ });
  t.throws(() => systemdUnit({ name: '../x.service' }), { message: /name/ });
  t.throws(() => systemdUnit({ name: '-x.service' }), { message: /name/ });
  t.notThrows(() => systemdUnit({ name: 'getty@tty1.service', state: 'started' }));
  t.throws(() => systemdUnit({ name: 'a.service', state: 'running' as never }), { message: /state: expected one of/ });
});

test('touches: the unit file, its drop-in directory and systemd', (t) => {
  const keys = systemdUnitType.touches!({ name: 'certbot.service' }, {} as never)!;
  t.deepEqual(keys, ['path:/etc/systemd/system/certbot.service', 'tree:/etc/systemd/system/certbot.service.d', 'systemd']);
  t.true(overlaps(keys, ['path:/etc/systemd/system/certbot.service.d/ca.conf']), 'a drop-in written before is flushed first');
});
