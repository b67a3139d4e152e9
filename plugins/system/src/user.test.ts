import test from 'ava';
import { checkUser, user, userType, type UserEntry, type UserOptions } from './user.js';

test('parses getent passwd + id', (t) => {
  const f = userType.facts({ name: 'deploy' }, {} as never).user;
  t.deepEqual(f.parse({ stdout: 'deploy:x:1001:1001:Deploy,,,:/home/deploy:/bin/bash\ndeploy\ndeploy sudo www-data\n', stderr: '', code: 0 }), {
    uid: 1001, gid: 1001, comment: 'Deploy,,,', home: '/home/deploy', shell: '/bin/bash', group: 'deploy', groups: ['deploy', 'sudo', 'www-data'],
  });
  t.is(f.parse({ stdout: 'absent\n', stderr: '', code: 0 }), undefined);
});

const deploy: UserEntry = { uid: 1001, gid: 1001, comment: '', home: '/home/deploy', shell: '/bin/bash', group: 'deploy', groups: ['deploy', 'sudo'] };

const plan = test.macro((t, u: UserEntry | undefined, o: UserOptions, expected: unknown) => {
  const p = checkUser(u, o);
  t.deepEqual('noop' in p ? p : { changes: p.changes, script: p.state!.script }, expected);
});

test('absent, own group → useradd -U or --gid when the group exists', plan, undefined,
  { name: 'deploy', group: 'deploy', shell: '/bin/bash', groups: ['www-data'] },
  {
    changes: ['create user deploy (group deploy, shell /bin/bash, groups www-data)'],
    script: 'getent passwd -- deploy >/dev/null || { if getent group -- deploy >/dev/null; then useradd --create-home --shell /bin/bash --groups www-data --gid deploy -- deploy; else useradd --create-home --shell /bin/bash --groups www-data --user-group -- deploy; fi; }',
  });
test('absent system user with a home', plan, undefined, { name: 'dragonfly', system: true, home: '/var/lib/dragonfly', createHome: true, shell: '/usr/sbin/nologin', comment: "it's $(x)" },
  {
    changes: ['create user dragonfly (system, home /var/lib/dragonfly, shell /usr/sbin/nologin)'],
    script: `getent passwd -- dragonfly >/dev/null || { useradd --system --home-dir /var/lib/dragonfly --create-home --shell /usr/sbin/nologin --comment 'it'\\''s $(x)' -- dragonfly; }`,
  });
test('present and matching: noop', plan, deploy, { name: 'deploy', group: 'deploy', groups: ['sudo'], shell: '/bin/bash' },
  { noop: 'user deploy present (uid 1001, group deploy, home /home/deploy, shell /bin/bash)' });
test('differences → one usermod; groups only added', plan, deploy, { name: 'deploy', shell: '/bin/sh', groups: ['sudo', 'www-data'], uid: 1500 },
  { changes: ['uid 1001 → 1500', 'shell /bin/bash → /bin/sh', 'add to groups www-data'], script: 'usermod --uid 1500 --shell /bin/sh --append --groups www-data -- deploy' });
test('primary group by gid matches', plan, deploy, { name: 'deploy', group: '1001' }, { noop: 'user deploy present (uid 1001, group deploy, home /home/deploy, shell /bin/bash)' });
test('state absent → userdel (home kept)', plan, deploy, { name: 'deploy', state: 'absent' },
  { changes: ['remove user deploy'], script: '! getent passwd -- deploy >/dev/null || userdel -- deploy' });

test('validation', (t) => {
  t.throws(() => user({ name: '-deploy' }), { message: /system.user: name: expected/ });
  t.throws(() => user({ name: 'd', comment: 'a:b' }), { message: /comment: expected a value without ":"/ });
  t.throws(() => user({ name: 'd', groups: ['ok', 'b c'] }), { message: /groups\[1\]: expected/ });
  t.throws(() => user({ name: 'd', shell: 'bash' }), { message: /shell: expected an absolute path/ });
});
