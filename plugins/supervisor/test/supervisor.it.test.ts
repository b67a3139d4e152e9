/**
 * supervisor on a real Debian test host (set itsupervisor-<checkout hash>): check mode on the fresh host
 * exits 2 (the unit the package brings is predicted, not a failure); a python http server and a worker
 * run under supervisord; configure twice (the second run changes nothing); the server answers curl-like requests
 * from this machine; a changed command restarts only that program (new pid); a removed program is
 * stopped and its config deleted; check mode reports a manual edit with a diff. No secret in any event.
 * Fails (never skips) when the host cannot boot.
 */
import test from 'ava';
import { definePlugin, secret, type Plugin } from '@runbook/core';
import { directory, file } from '@runbook/system';
import { assertIdempotent, boot, checkoutSet, explain, settle, type Harness } from '@runbook/testing';
import { supervisor, type SupervisorOptions } from '../src/index.js';

let h: Harness;
const TOKEN = 'sup3r-s3cret-t0ken';

test.before(async () => {
  h = await boot(checkoutSet('itsupervisor'));
});
test.after.always(async () => {
  await h?.close();
});

/** What the web program serves: a directory with an index page. */
const site: Plugin = definePlugin({
  name: 'site',
  configure: () => [
    directory({ path: '/srv/sv-web', mode: '0755' }),
    file({ path: '/srv/sv-web/index.html', content: 'served under supervisor\n' }),
  ],
});

const web = (port: number) => ({
  command: `/usr/bin/python3 -m http.server ${port} --bind 0.0.0.0`,
  directory: '/srv/sv-web',
  user: 'www-data',
  environment: { GREETING: 'hello, 100% world' },
  stopsignal: 'INT' as const,
  stopwaitsecs: 5,
});
const worker = {
  command: "/bin/sh -c 'while true; do sleep 30; done'",
  numprocs: 2,
  environment: { API_TOKEN: secret(TOKEN, 'API_TOKEN') },
};
const plugins = (o: SupervisorOptions): Plugin[] => [site, supervisor(o)];

async function get(port: number): Promise<{ status: number; text: string } | undefined> {
  try {
    const r = await fetch(h.url('/', {}).replace(/\/$/, `:${port}/`), { signal: AbortSignal.timeout(3000) });
    return { status: r.status, text: await r.text() };
  } catch {
    return undefined;
  }
}
const status = (name: string) => h.ssh(`supervisorctl status ${name} || true`);
const pid = async (name: string) => Number(await h.ssh(`supervisorctl pid ${name}`));

test.serial('check on a fresh host: exit 2, no task failed, nothing installed', async (t) => {
  const check = await h.configure(plugins({ programs: { web: web(8081), worker } }), { check: true });
  t.is(check.result.exitCode, 2, explain(check));
  t.is(check.failed, 0, explain(check));
  t.true(check.tasks.some((e) => e.title === 'supervisor.service' && e.status === 'changed'), explain(check));
  t.is(await h.ssh("dpkg-query -W -f='${Status}' supervisor 2>/dev/null | grep -q 'ok installed' && echo installed || echo absent"), 'absent');
});

test.serial('configure twice: 0 changed the second time; the programs RUNNING; the server answers from outside', async (t) => {
  const { first, second } = await assertIdempotent(t, h, plugins({ programs: { web: web(8081), worker } }));
  t.true(first.tasks.some((e) => e.handler && e.status === 'changed'), `the update handler ran: ${explain(first)}`);
  t.false(second.tasks.some((e) => e.handler), 'no handler on the second run');

  // STARTING until a program has run for startsecs (1 s)
  await settle(async () => /RUNNING[\s\S]*RUNNING[\s\S]*RUNNING/.test(await status('all')));
  t.regex(await status('web'), /^web\s+RUNNING\s+pid \d+/);
  t.regex(await status('worker:*'), /^worker:worker_00\s+RUNNING.*\nworker:worker_01\s+RUNNING/);
  await settle(async () => (await get(8081))?.status === 200);
  t.deepEqual(await get(8081), { status: 200, text: 'served under supervisor\n' });

  // the environment arrived as written (comma, space and % intact) and the program runs as its user
  const p = await pid('web');
  t.is(await h.ssh(`tr '\\0' '\\n' < /proc/${p}/environ | grep ^GREETING=`), 'GREETING=hello, 100% world');
  t.is(await h.ssh(`ps -o user= -p ${p}`), 'www-data');
  t.is(await h.ssh('systemctl is-enabled supervisor; systemctl is-active supervisor'), 'enabled\nactive');
  t.is(await h.ssh('stat -c %a /etc/supervisor/conf.d/worker.conf /etc/supervisor/conf.d/web.conf'), '600\n644');

  const events = JSON.stringify([...first.events, ...second.events]);
  t.false(events.includes(TOKEN), 'the secret appears in the events');
  t.regex(await h.ssh(`tr '\\0' '\\n' < /proc/$(supervisorctl pid worker:worker_00)/environ | grep ^API_TOKEN=`), new RegExp(`^API_TOKEN=${TOKEN}$`));
});

test.serial('a changed command restarts that program only (new pid); then 0 changed', async (t) => {
  const webPid = await pid('web');
  const workerPid = await pid('worker:worker_00');
  const changed = await h.configure(plugins({ programs: { web: web(8082), worker } }));
  t.is(changed.result.exitCode, 0, explain(changed));
  t.deepEqual(changed.tasks.filter((e) => e.status === 'changed').map((e) => e.title), ['/etc/supervisor/conf.d/web.conf', 'supervisor update']);
  await settle(async () => /RUNNING/.test(await status('web'))); // STARTING for startsecs (1 s)
  t.regex(await status('web'), /RUNNING/);
  t.not(await pid('web'), webPid, 'web was restarted');
  t.is(await pid('worker:worker_00'), workerPid, 'the unchanged worker kept running');
  await settle(async () => (await get(8082))?.status === 200);
  t.is((await get(8082))?.status, 200);
  t.is(await get(8081), undefined, 'the old port is closed');
  const again = await h.configure(plugins({ programs: { web: web(8082), worker } }));
  t.is(again.changed, 0, explain(again));
});

test.serial('check mode reports a manual edit with a diff and changes nothing; a run puts it back', async (t) => {
  await h.ssh("sed -i 's/^stopwaitsecs=5$/stopwaitsecs=99/' /etc/supervisor/conf.d/web.conf");
  const check = await h.configure(plugins({ programs: { web: web(8082), worker } }), { check: true, diff: true });
  t.is(check.result.exitCode, 2, explain(check));
  const task = check.tasks.find((e) => e.title === '/etc/supervisor/conf.d/web.conf');
  t.is(task?.status, 'changed');
  t.regex(task?.diff ?? '', /-stopwaitsecs=99\n\+stopwaitsecs=5/);
  t.regex(await h.ssh('grep ^stopwaitsecs /etc/supervisor/conf.d/web.conf'), /=99$/);
  const fix = await h.configure(plugins({ programs: { web: web(8082), worker } }));
  t.is(fix.result.exitCode, 0, explain(fix));
  t.is(await h.ssh('grep ^stopwaitsecs /etc/supervisor/conf.d/web.conf'), 'stopwaitsecs=5');
});

test.serial('a removed program is stopped and its config deleted; a hand-written config is left alone', async (t) => {
  await h.ssh("printf '[program:manual]\\ncommand=/bin/sleep 1000\\n' > /etc/supervisor/conf.d/manual.conf");
  const r = await h.configure(plugins({ programs: { web: web(8082) } }));
  t.is(r.result.exitCode, 0, explain(r));
  t.deepEqual(r.tasks.find((e) => e.task === 'supervisor.prune')?.changes, ['remove /etc/supervisor/conf.d/worker.conf']);
  t.is(await h.ssh('ls /etc/supervisor/conf.d'), 'manual.conf\nweb.conf');
  t.regex(await status('worker:*'), /no such group|ERROR/i);
  t.is(await h.ssh('pgrep -f "while true; do slee[p] 30" || true'), '', 'the worker processes are gone');
  await settle(async () => /RUNNING/.test(await status('manual')));
  t.regex(await status('manual'), /RUNNING/, 'update also picked up the hand-written program');
  t.regex(await status('web'), /RUNNING/);
  const again = await h.configure(plugins({ programs: { web: web(8082) } }));
  t.is(again.changed, 0, explain(again));
});
