import test from 'ava';
import { apr1, randomSalt, verifyPassword } from './md5-crypt.js';

// computed once with `openssl passwd -apr1 -salt <salt> <password>` (OpenSSL 3.0.19) on the dev machine
const vectors: [password: string, salt: string, hash: string][] = [
  ['password', 'saltsalt', '$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/'],
  ['secret pw', '12345678', '$apr1$12345678$Xwu3dZLLg/uECvzqzPcxt0'],
  [`p@ss'w"d$x`, 'abcdefgh', '$apr1$abcdefgh$pAjuSw8i.lbID3Xm9O7te.'],
  ['', 'xy', '$apr1$xy$43..WIhbfuznGvwoCyUek/'],
  ['averyveryveryveryveryveryveryverylongpasswordthatislongerthansixteen', 'Zz./09Ab', '$apr1$Zz./09Ab$b8abPAXvbRhRPY2KEt3U20'],
  ['ünï', 'abc', '$apr1$abc$5I3gwHMpLK8Um968N5j3e.'],
];

for (const [password, salt, hash] of vectors) {
  test(`apr1 ${JSON.stringify(password)} with salt ${salt}`, (t) => {
    t.is(apr1(password, salt), hash);
    t.true(verifyPassword(password, hash));
    t.false(verifyPassword(`${password}x`, hash));
  });
}

test('verify: $1$ (md5crypt) as `openssl passwd -1` makes it', (t) => {
  t.true(verifyPassword('password', '$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/'));
  t.false(verifyPassword('Password', '$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/'));
});

test('verify: other schemes and garbage are never a match', (t) => {
  t.false(verifyPassword('password', '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g='));
  t.false(verifyPassword('password', '$6$salt$abc'));
  t.false(verifyPassword('password', ''));
  t.false(verifyPassword('password', '$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq'));
});

test('random salts: 8 crypt characters, different each time, still verify', (t) => {
  const a = randomSalt();
  t.regex(a, /^[./0-9A-Za-z]{8}$/);
  t.not(a, randomSalt());
  const h = apr1('pw');
  t.regex(h, /^\$apr1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$/);
  t.true(verifyPassword('pw', h));
});

test('a salt outside the alphabet is refused', (t) => {
  t.throws(() => apr1('pw', 'bad$salt'), { message: /salt/ });
});
