import test from 'ava';
import { emptySiteModel, secret, type PluginContext } from '@runbook/core';
import { app } from './app.js';

const plugin = app({ name: 'shop', source: { git: { repo: 'https://x/shop.git', ref: 'main' } }, env: { A: '1' } });

function context(release?: string): PluginContext {
  const site = emptySiteModel('web-1');
  const ctx = {
    alias: 'web-1', hostname: 'web-1', user: 'deploy', groups: [], vars: {}, env: 'test', site, secrets: { SECRET_KEY: secret('k-123456') },
    config: { root: '/p', inventoryDir: '/p', playbookDir: '/p', knownHosts: '/p/k', vars: {}, plugins: [plugin] },
  } as unknown as PluginContext;
  plugin.contribute!(site, ctx);
  if (release) ctx.release = { id: release, path: `/srv/shop/releases/${release}` };
  return ctx;
}

test('contribute: the app model and its env', (t) => {
  const { site } = context();
  // static files belong to the release: the app and nginx see the live release's
  t.like(site.app, { name: 'shop', user: 'shop', root: '/srv/shop', current: '/srv/shop/current', envFile: '/srv/shop/shared/.env', venv: '/srv/shop/current/.venv', staticRoot: '/srv/shop/current/staticfiles' });
  t.is(site.env.STATIC_ROOT, '/srv/shop/current/staticfiles');
  site.staticUrl = 'https://cdn.example.org/';
  t.is(site.env.STATIC_URL, 'https://cdn.example.org/', 'a later plugin setting staticUrl is seen');
  t.deepEqual({ ...site.env }, { STATIC_ROOT: '/srv/shop/current/staticfiles', STATIC_URL: 'https://cdn.example.org/' });
});

test('configure: user, dirs, packages with git and curl, the .env as a secret file that restarts the app', (t) => {
  const ctx = context();
  ctx.site.reloadUnits.push('gunicorn.service');
  const tasks = plugin.configure!(ctx);
  t.deepEqual(tasks.map((x) => x.type.name), ['system.group', 'system.user', 'file.directory', 'file.directory', 'file.directory', 'file.directory', 'file.directory', 'apt.packages', 'app.env']);
  t.false(tasks.some((x) => x.type.name === 'file.directory' && /static/.test(x.options.path)), 'no shared static dir');
  t.deepEqual(tasks[7].options.packages, ['python3-venv', 'git', 'curl']);
  const env = tasks[8];
  t.like(env.options, { path: '/srv/shop/shared/.env', owner: 'shop', group: 'shop', current: '/srv/shop/current', marker: '/srv/shop/.env-restart-pending' });
  t.deepEqual(env.notify, ['restart app units']);
  t.is(String(env.options.content), '••••••');
  t.regex(env.options.content.reveal(), /^SECRET_KEY=k-123456$/m);
  t.regex(env.options.content.reveal(), /^A=1$/m);
  t.regex(env.options.content.reveal(), /^STATIC_ROOT=\/srv\/shop\/current\/staticfiles$/m);
  const handler = plugin.handlers!(ctx)['restart app units'];
  t.is(handler.type.name, 'app.restart');
  t.deepEqual(handler.options, { units: ['gunicorn.service'], current: '/srv/shop/current', marker: '/srv/shop/.env-restart-pending' });
});

test('deploy: the tasks of each stage; rescue and finally', (t) => {
  const ctx = context('r1');
  t.deepEqual(plugin.deploy!(ctx).verify, [], 'a host that does not serve the app (a worker) has no health check');
  ctx.site.upstream = { protocol: 'http', address: 'unix:/run/gunicorn.sock' };
  ctx.site.reloadUnits.push('gunicorn.service');
  const stages = plugin.deploy!(ctx);
  const names = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v!.map((x) => x.type.name)]));
  // no DATABASE_URL: each host has its own database (sqlite in shared/), so each migrates it at the end of its build
  t.deepEqual(names, {
    lock: ['app.lock'],
    prepare: ['app.leftovers', 'app.space', 'app.release'],
    build: ['file.directory', 'app.venv', 'app.step', 'file.symlink', 'app.step', 'file.symlink', 'app.step', 'app.step'],
    switch: ['app.current'],
    verify: ['app.health', 'app.units'],
    finish: ['app.record', 'app.prune', 'app.prune-venvs'],
  });
  // the venv of the release's dependency inputs, as the app's user
  t.like(stages.build![1], { becomeUser: 'shop', options: { root: '/srv/shop', rel: '/srv/shop/releases/r1', requirements: 'requirements.txt' } });
  t.like(stages.verify![0].options, { url: 'http://127.0.0.1/health/', host: 'web-1', retries: 10 });
  // an upstream without its unit named: every unit waits out the settle
  t.deepEqual(stages.verify![1].options, { units: ['gunicorn.service'], settle: 2, proven: [] });
  // the health check answers through the app server's unit: it is not waited for; a worker unit still is
  ctx.site.upstream.unit = 'gunicorn.service';
  ctx.site.reloadUnits.push('celery-shop.service');
  t.deepEqual(plugin.deploy!(ctx).verify![1].options, { units: ['gunicorn.service', 'celery-shop.service'], settle: 2, proven: ['gunicorn.service'] });
  t.deepEqual(stages.prepare![1].options, { path: '/srv/shop/releases', current: '/srv/shop/current', minFreeKiB: 512 * 1024 });
  // the build's own STATIC_ROOT: collectstatic writes into the release
  const collect = stages.build!.at(-2)!;
  // a git source: the static files' inputs are hashed on the host, so a release with the same ones is linked
  t.is(collect.options.show, '/srv/shop/releases/r1/.venv/bin/python manage.py collectstatic --noinput (or the static files of a release with the same inputs)');
  t.regex(collect.options.run, /read -r rb_f < \.rb-static-inputs/);
  t.is(collect.options.env.STATIC_ROOT, '/srv/shop/releases/r1/staticfiles');
  t.like(collect.options, { space: '/srv/shop/releases/r1', creates: '/srv/shop/releases/r1/.rb-collectstatic' });
  const migrate = stages.build!.at(-1)!;
  t.like(migrate.options, { cwd: '/srv/shop/releases/r1', creates: '/srv/shop/releases/r1/.rb-migrated', onlyIf: 'test -f manage.py' });
  t.is(migrate.becomeUser, 'shop');
  t.deepEqual(plugin.rescueDeploy!(ctx).map((x) => x.type.name), ['app.rescue']);
  const [unlock] = plugin.finallyDeploy!(ctx);
  t.deepEqual(unlock.options, { root: '/srv/shop', id: 'r1' });
  t.is(stages.lock![0].options.info.release, 'r1');
});

test('deploy: a database the hosts share (a DATABASE_URL) is migrated once, in the migrate stage; migrateOnce overrides', (t) => {
  const ctx = context('r1');
  ctx.site.env.DATABASE_URL = secret('postgresql://shop:pw@10.0.0.5:5432/shop');
  const stages = plugin.deploy!(ctx);
  t.deepEqual(stages.migrate!.map((x) => x.title), ['migrate in /srv/shop/releases/r1']);
  t.false(stages.build!.some((x) => x.title.startsWith('migrate')));
  const everyHost = app({ name: 'shop', source: { git: { repo: 'https://x/shop.git', ref: 'main' } }, migrateOnce: false });
  const own = everyHost.deploy!(ctx);
  t.is(own.migrate, undefined);
  t.is(own.build!.at(-1)!.title, 'migrate in /srv/shop/releases/r1');
  t.throws(() => app({ name: 'shop', source: { git: { repo: 'https://x/shop.git', ref: 'main' } }, migrateOnce: 'yes' as never }), { message: /migrateOnce: expected true or false/ });
});

test('rollback: one lock id for the stages and the unlock', (t) => {
  const ctx = context();
  ctx.site.upstream = { protocol: 'http', address: 'unix:/run/gunicorn.sock' };
  ctx.site.reloadUnits.push('gunicorn.service');
  const stages = plugin.rollback!(ctx);
  t.deepEqual(Object.keys(stages), ['lock', 'switch', 'reload', 'verify', 'finish']);
  const id = stages.lock![0].options.info.release;
  t.regex(id, /^rollback-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  t.is(plugin.finallyDeploy!(ctx)[0].options.id, id);
  t.is(stages.reload![0].options.run, 'systemctl reset-failed -- gunicorn.service 2>/dev/null || :\nsystemctl restart -- gunicorn.service');
  t.deepEqual(stages.verify!.map((x) => x.type.name), ['app.health', 'app.units'], 'a rollback is verified like a deploy');
});

test('requiredSecrets: configure and deploy stop at planning when a key is missing, naming file and key', (t) => {
  const strict = app({ name: 'shop', source: { git: { repo: 'https://x/shop.git', ref: 'main' } }, requiredSecrets: ['SECRET_KEY', 'API_TOKEN'] });
  const ctx = { ...context('r1'), config: { root: '/p', secretsDir: '/p/secrets', vars: {}, plugins: [strict] } } as unknown as PluginContext;
  for (const plan of [() => strict.configure!(ctx), () => strict.deploy!(ctx)]) {
    const e = t.throws(plan) as unknown as { code: string; isBadInput: boolean; toString(): string };
    t.is(e.code, 'E_SECRETS');
    t.true(e.isBadInput, 'exit 4');
    t.regex(e.toString(), /\/p\/secrets\/test\.env: API_TOKEN: required by app/);
  }
  const ok = { ...ctx, secrets: { ...ctx.secrets, API_TOKEN: secret('token-value') } } as PluginContext;
  t.notThrows(() => strict.configure!(ok));
});
