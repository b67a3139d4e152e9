import test from 'ava';
import { freeSpaceType, parseSpace, spaceCommand } from './free-space.js';

const o = { path: '/srv/a/releases', current: '/srv/a/current', minFreeKiB: 512 * 1024 };
const out = (stdout: string) => ({ stdout, stderr: '', code: 0 });

test('parses df and du', (t) => {
  t.deepEqual(parseSpace(out('df 1048576 /srv\ndu 204800\n')), { availKiB: 1048576, mount: '/srv', currentKiB: 204800 });
  t.deepEqual(parseSpace(out('df 10 /\n')), { availKiB: 10, mount: '/', currentKiB: 0 });
  t.throws(() => parseSpace({ stdout: '', stderr: 'df: /x: No such file', code: 1 }), { message: /cannot read the free space \(df -Pk\): df: \/x: No such file/ });
});

const plan = test.macro((t, facts: string, expected: RegExp | { noop: string }) => {
  const space = parseSpace(out(facts));
  if (expected instanceof RegExp) t.throws(() => freeSpaceType.check({ space }, o, {} as never), { message: expected });
  else t.deepEqual(freeSpaceType.check({ space }, o, {} as never), expected);
});
test('room enough: says how much', plan, 'df 1048576 /srv\n', { noop: '1024 MiB free on /srv/a/releases (filesystem /srv), 512 MiB needed (minFreeSpace)' });
test('below minFreeSpace: fails naming the path, the filesystem and the need', plan, 'df 30720 /srv\n',
  /^not enough free space for a release on \/srv\/a\/releases \(filesystem \/srv\): 30 MiB free, 512 MiB needed \(minFreeSpace\); free some space/);
test('a big current release raises the need to its size + 10%', plan, 'df 1048576 /\ndu 1024000\n',
  /1024 MiB free, 1100 MiB needed \(the current release takes 1000 MiB, \+10%\)/);

test('the command measures the nearest existing parent (fresh host) and the live release through its link', (t) => {
  const c = spaceCommand(o);
  t.regex(c, /while \[ ! -e "\$p" \]; do p=\$\(dirname -- "\$p"\); done/);
  t.regex(c, /du -sk -- \/srv\/a\/current\//);
  t.deepEqual(freeSpaceType.touches!(o, {} as never), [`tree:${o.path}`], 'read again after the leftovers went (they touch the releases)');
});
