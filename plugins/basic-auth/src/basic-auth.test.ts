import test from 'ava';
import { emptySiteModel, isSecret, reveal, secret, type AppModel, type PluginContext, type Secret } from '@runbook/core';
import { basicAuth } from './basic-auth.js';
import { resolveUsers } from './resolve-users.js';

const ctx = (env: string, secrets: Record<string, Secret> = {}) => {
  const site = { ...emptySiteModel('web1'), app: { name: 'shop' } as AppModel };
  return { site, env, secrets } as PluginContext;
};

test('contribute: the wall for listed envs, health and ACME paths exempt', (t) => {
  const p = basicAuth({ envs: ['dev', 'stg'], realm: 'Shop staging', users: { alice: 'pw1' } });
  const on = ctx('stg');
  p.contribute(on.site, on);
  t.deepEqual(on.site.auth, { realm: 'Shop staging', userFile: '/etc/nginx/htpasswd/shop', exempt: ['/health/', '/.well-known/acme-challenge/'] });
  t.deepEqual(on.site.env, {});
  const off = ctx('prod');
  p.contribute(off.site, off);
  t.is(off.site.auth, undefined);
  t.deepEqual(p.configure(off), []);
});

test('configure: htpasswd dir (nginx may enter) and file', (t) => {
  const c = ctx('dev');
  const p = basicAuth({ users: { alice: 'pw1' } });
  p.contribute(c.site, c);
  const tasks = p.configure(c);
  t.deepEqual(tasks.map((x) => [x.type.name, x.options.path]), [['file.directory', '/etc/nginx/htpasswd'], ['basicAuth.htpasswd', '/etc/nginx/htpasswd/shop']]);
  t.like(tasks[0].options, { mode: '0750', owner: 'root', group: 'www-data' });
  t.true(isSecret(tasks[1].options.users.alice));
});

test('djangoWall: the first user and the realm go to the app env, the password as a Secret', (t) => {
  const c = ctx('qa', { AUTH_WALL_USERNAME: secret('wall'), AUTH_WALL_PASSWORD: secret('wallpw') });
  basicAuth({ djangoWall: true }).contribute(c.site, c);
  t.is(c.site.env.AUTH_WALL_USERNAME, 'wall');
  t.true(isSecret(c.site.env.AUTH_WALL_PASSWORD));
  t.is(reveal(c.site.env.AUTH_WALL_PASSWORD), 'wallpw');
  t.is(c.site.env.AUTH_WALL_REALM, 'Restricted');
});

test('users: options first, then BASIC_AUTH_USERS, then AUTH_WALL_*; all passwords Secrets', (t) => {
  const both = { BASIC_AUTH_USERS: secret('alice:pw:1,bob:pw2'), AUTH_WALL_USERNAME: secret('w'), AUTH_WALL_PASSWORD: secret('x') };
  t.deepEqual(Object.keys(resolveUsers({ carol: 'c' }, both, 'dev')), ['carol']);
  const users = resolveUsers(undefined, both, 'dev');
  t.deepEqual(Object.entries(users).map(([n, p]) => [n, reveal(p)]), [['alice', 'pw:1'], ['bob', 'pw2']]);
  t.true(Object.values(users).every(isSecret));
  t.deepEqual(Object.keys(resolveUsers(undefined, { AUTH_WALL_USERNAME: secret('wally'), AUTH_WALL_PASSWORD: secret('x') }, 'dev')), ['wally']);
});

test('users: none anywhere is a config error naming the env and the secrets to set', (t) => {
  const e = t.throws(() => resolveUsers(undefined, {}, 'qa'));
  t.regex(e!.message, /no users for env "qa".*BASIC_AUTH_USERS.*AUTH_WALL_USERNAME/);
  t.throws(() => resolveUsers(undefined, { BASIC_AUTH_USERS: secret('nocolon') }, 'qa'), { message: /BASIC_AUTH_USERS/ });
});

test('bad options fail when the plugin is made', (t) => {
  t.throws(() => basicAuth({ realm: 'say "hi"' }), { message: /realm/ });
  t.throws(() => basicAuth({ envs: 'dev' as never }), { message: /envs/ });
  t.throws(() => basicAuth({ users: { 'a b': 'x' } }), { message: /user name/ });
});

test('the health path the site model has (the app sets it from healthCheck.path) is exempt', (t) => {
  const c = ctx('stg');
  c.site.healthPath = '/healthz';
  basicAuth({ users: { alice: 'pw1' } }).contribute(c.site, c);
  t.deepEqual(c.site.auth?.exempt, ['/healthz', '/.well-known/acme-challenge/']);
});

test('an unknown option fails when the plugin is made (E_OPTIONS); on is allowed', (t) => {
  const e = t.throws(() => basicAuth({ env: ['stg'] } as never));
  t.is((e as { code?: string }).code, 'E_OPTIONS');
  t.is(e?.message, 'basic-auth: unknown option "env"; did you mean "envs"? allowed: on, envs, realm, users, djangoWall');
  t.notThrows(() => basicAuth({ on: 'web', envs: ['stg'] }));
});
