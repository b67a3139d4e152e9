import test from 'ava';
import { checkGroup, group, groupType, type GroupEntry, type GroupOptions } from './group.js';

test('parses getent group; exit 2 is absent', (t) => {
  const f = groupType.facts({ name: 'deploy' }, {} as never).group;
  t.is(f.command, 'getent group -- deploy');
  t.deepEqual(f.parse({ stdout: 'deploy:x:1001:a,b\n', stderr: '', code: 0 }), { gid: 1001, members: ['a', 'b'] });
  t.is(f.parse({ stdout: '', stderr: '', code: 2 }), undefined);
});

const plan = test.macro((t, g: GroupEntry, o: GroupOptions, expected: unknown) => {
  const p = checkGroup(g, o);
  t.deepEqual('noop' in p ? p : { changes: p.changes, script: p.state!.script }, expected);
});
test('absent → groupadd, guarded', plan, undefined, { name: 'deploy', system: true, gid: 1500 },
  { changes: ['create group deploy (system, gid 1500)'], script: 'getent group -- deploy >/dev/null || groupadd --system --gid 1500 -- deploy' });
test('present: noop', plan, { gid: 1001, members: [] }, { name: 'deploy' }, { noop: 'group deploy present (gid 1001)' });
test('gid differs → groupmod', plan, { gid: 1001, members: [] }, { name: 'deploy', gid: 1500 },
  { changes: ['gid 1001 → 1500'], script: 'groupmod --gid 1500 -- deploy' });
test('state absent → groupdel', plan, { gid: 1001, members: [] }, { name: 'deploy', state: 'absent' },
  { changes: ['remove group deploy'], script: '! getent group -- deploy >/dev/null || groupdel -- deploy' });
test('state absent, no group: noop', plan, undefined, { name: 'deploy', state: 'absent' }, { noop: 'group deploy absent' });

test('validation: hostile names are refused (groupadd would refuse them too)', (t) => {
  t.throws(() => group({ name: '-o' }), { message: /system.group: name: expected a user\/group name/ });
  t.throws(() => group({ name: "a'b" }), { message: /name/ });
  t.throws(() => group({ name: 'a b' }), { message: /name/ });
  t.throws(() => group({ name: 'ok', gid: -1 }), { message: /gid: expected a non-negative integer/ });
});
