/**
 * Table tests without a host: options and their errors, the rendered program config (escaping for
 * supervisor's parsers), the plugin's task list and handler, and the prune task on a fake host.
 */
import test from 'ava';
import { secret } from '@runbook/core';
import { fakeHost, pluginContext, type HostState } from '@runbook/testing';
import { MARK, prune, renderProgram, resolveSupervisorOptions, supervisor, UPDATE_HANDLER, type ProgramOptions } from './index.js';

const render = (name: string, p: ProgramOptions) => renderProgram(resolveSupervisorOptions({ programs: { [name]: p } }).programs[0]);

test('a program with defaults', (t) => {
  t.is(render('web', { command: '/usr/bin/python3 -m http.server 8081' }), [
    MARK,
    '[program:web]',
    'command=/usr/bin/python3 -m http.server 8081',
    'user=root',
    'autostart=true',
    'autorestart=true',
    'stopsignal=TERM',
    'stopwaitsecs=10',
    'stdout_logfile=/var/log/supervisor/web.out.log',
    'stderr_logfile=/var/log/supervisor/web.err.log',
    'numprocs=1',
    'process_name=%(program_name)s',
    'stopasgroup=true',
    'killasgroup=true',
    '',
  ].join('\n'));
});

test('every option; numprocs > 1 names each copy and gives it its own logs', (t) => {
  const conf = render('worker', {
    command: '/srv/app/bin/worker --rate 50%', directory: '/srv/app', user: 'app', environment: { A: 'x y,z', B: 'say "hi" now' },
    autostart: false, autorestart: 'unexpected', stopsignal: 'QUIT', stopwaitsecs: 60,
    stdoutLogfile: '/var/log/app/worker.log', stderrLogfile: '/var/log/app/worker-errors', numprocs: 3,
  });
  t.regex(conf, /^command=\/srv\/app\/bin\/worker --rate 50%%$/m);
  t.regex(conf, /^directory=\/srv\/app$/m);
  t.regex(conf, /^user=app$/m);
  t.regex(conf, /^environment=A="x y,z",B='say "hi" now'$/m);
  t.regex(conf, /^autostart=false\nautorestart=unexpected\nstopsignal=QUIT\nstopwaitsecs=60$/m);
  t.regex(conf, /^stdout_logfile=\/var\/log\/app\/worker_%\(process_num\)02d\.log$/m);
  t.regex(conf, /^stderr_logfile=\/var\/log\/app\/worker-errors_%\(process_num\)02d$/m);
  t.regex(conf, /^numprocs=3\nprocess_name=%\(program_name\)s_%\(process_num\)02d$/m);
});

const badCases: [string, unknown, RegExp][] = [
  ['no command', { programs: { web: {} } }, /supervisor: programs\.web\.command must be a non-empty single-line string, got undefined/],
  ['a bad name', { programs: { 'we b': { command: 'x' } } }, /supervisor: programs\.we b must be named with letters/],
  ['an unknown program option', { programs: { web: { command: 'x', stdout: '/x' } } }, /^supervisor: unknown option "programs\.web\.stdout"; allowed: command, directory, user, environment, autostart, autorestart, stopsignal, stopwaitsecs, stdoutLogfile, stderrLogfile, numprocs$/],
  ['a misspelled program option', { programs: { web: { command: 'x', stopwaitsec: 5 } } }, /^supervisor: unknown option "programs\.web\.stopwaitsec"; did you mean "programs\.web\.stopwaitsecs"\? allowed: /],
  ['an unknown option', { program: {} }, /^supervisor: unknown option "program"; did you mean "programs"\? allowed: on, programs, prune$/],
  ['numprocs 0', { programs: { web: { command: 'x', numprocs: 0 } } }, /programs\.web\.numprocs must be an integer from 1 to 100, got 0/],
  ['a relative directory', { programs: { web: { command: 'x', directory: 'srv' } } }, /programs\.web\.directory must be an absolute path/],
  ['a bad signal', { programs: { web: { command: 'x', stopsignal: 'SIGTERM' } } }, /programs\.web\.stopsignal must be one of TERM, HUP/],
  ['autorestart as a string', { programs: { web: { command: 'x', autorestart: 'always' } } }, /programs\.web\.autorestart must be true, false or 'unexpected'/],
  ['a bad env name', { programs: { web: { command: 'x', environment: { 'A-B': '1' } } } }, /programs\.web\.environment\.A-B must be a variable name/],
  ['a comment in the command', { programs: { web: { command: 'a ; b' } } }, /programs\.web\.command must not contain a space before ';' or '#'/],
  ['both quotes in a value', { programs: { web: { command: 'x', environment: { A: `it's "x"y` } } } }, /environment\.A must not contain both ' and "/],
  ['a quote at the end', { programs: { web: { command: 'x', environment: { A: `x'` } } } }, /environment\.A must not start or end with a quote/],
];
for (const [name, options, message] of badCases) {
  test(`bad options fail when the plugin is made: ${name}`, (t) => {
    t.throws(() => supervisor(options as never), { message });
  });
}

test('a secret in the environment: never in an error message', (t) => {
  const e = t.throws(() => supervisor({ programs: { web: { command: 'x', environment: { T: secret('s3cr3t\nx') } } } }));
  t.regex(e!.message, /environment\.T must be a single line, got a secret/);
  t.false(e!.message.includes('s3cr3t'));
});

test('configure: package, service, one config per program (notifying the handler), prune', (t) => {
  const p = supervisor({ programs: { web: { command: 'x' }, api: { command: 'y', environment: { T: secret('tok') } } } });
  const tasks = p.configure!(pluginContext());
  t.deepEqual(tasks.map((x) => [x.type.name, x.title, [...x.notify]]), [
    ['apt.packages', 'supervisor', []],
    ['systemd.unit', 'supervisor.service', []],
    ['file.content', '/etc/supervisor/conf.d/web.conf', [UPDATE_HANDLER]],
    ['file.content', '/etc/supervisor/conf.d/api.conf', [UPDATE_HANDLER]],
    ['supervisor.prune', 'stale programs in /etc/supervisor/conf.d', [UPDATE_HANDLER]],
  ]);
  t.is((tasks[2].options as { mode: string }).mode, '0644');
  t.is((tasks[3].options as { mode: string }).mode, '0600', 'a secret in the environment makes the file 0600');
  t.deepEqual(Object.keys(p.handlers!(pluginContext())), [UPDATE_HANDLER]);
  t.is(supervisor({ prune: false }).configure!(pluginContext()).length, 2);
});

const LIST = (dir: string) => new RegExp(`^for f in ${dir}/\\*\\.conf`);
const pruneCases: { name: string; managed: string[]; keep: string[]; status: string; changes?: string[]; applied?: string[] }[] = [
  { name: 'nothing of ours', managed: [], keep: ['/etc/supervisor/conf.d/web.conf'], status: 'ok' },
  { name: 'only kept programs', managed: ['/etc/supervisor/conf.d/web.conf'], keep: ['/etc/supervisor/conf.d/web.conf'], status: 'ok' },
  {
    name: 'a program no longer configured',
    managed: ['/etc/supervisor/conf.d/old.conf', '/etc/supervisor/conf.d/web.conf'],
    keep: ['/etc/supervisor/conf.d/web.conf'],
    status: 'changed',
    changes: ['remove /etc/supervisor/conf.d/old.conf'],
    applied: ['rm -f -- /etc/supervisor/conf.d/old.conf'],
  },
];
for (const c of pruneCases) {
  test(`prune: ${c.name}`, async (t) => {
    const host = fakeHost({ facts: (cmd) => (LIST('/etc/supervisor/conf.d').test(cmd) ? c.managed.map((f) => `${f}\n`).join('') : undefined) });
    const r = await host.run([prune({ keep: c.keep })]);
    t.deepEqual(r.statuses, [c.status]);
    t.deepEqual(r.results[0].changes, c.changes);
    t.deepEqual(r.applied, c.applied ?? []);
  });
}

test('prune reads only files whose first line is the mark', async (t) => {
  const host = fakeHost({ facts: () => '' });
  await host.run([prune({ keep: [] })]);
  t.true(host.factsRead[0].includes(`[ "$first" = '${MARK}' ]`));
});

test('on (placement) is an option like any other plugin\'s', (t) => {
  t.is(supervisor({ on: 'worker', programs: { web: { command: 'x' } } }).on, 'worker');
});

// the host stated by meaning (@runbook/testing's hostState) rather than in the primitives' fact formats
const WEB = { command: '/usr/bin/python3 -m http.server 8081' };
const managedList = (files: string[]) => (cmd: string) => (LIST('/etc/supervisor/conf.d').test(cmd) ? files.map((f) => `${f}\n`).join('') : undefined);
const configured: HostState = {
  packages: ['supervisor'],
  units: { 'supervisor.service': { active: true, enabled: true } },
  directories: ['/etc/supervisor/conf.d'],
  files: { '/etc/supervisor/conf.d/web.conf': render('web', WEB) },
};

test('configure on a configured host: every task is a no-op, read in one exec', async (t) => {
  const host = fakeHost({ state: configured, facts: managedList(['/etc/supervisor/conf.d/web.conf']) });
  const r = await host.run(supervisor({ programs: { web: WEB } }).configure!(pluginContext()));
  t.deepEqual(r.statuses, ['ok', 'ok', 'ok', 'ok'], JSON.stringify(r.results.map((x) => x.error?.message ?? x.reason)));
  t.is(r.execs, 1);
});

test('configure on a host whose program config was edited: only that file changes, with a diff', async (t) => {
  const edited = { ...configured, files: { '/etc/supervisor/conf.d/web.conf': render('web', { command: 'edited' }) } };
  const host = fakeHost({ state: edited, facts: managedList(['/etc/supervisor/conf.d/web.conf']) });
  const r = await host.run(supervisor({ programs: { web: WEB } }).configure!(pluginContext()), { check: true });
  t.deepEqual(r.statuses, ['ok', 'ok', 'changed', 'ok']);
  t.regex(r.results[2].diff ?? '', /-command=edited\n\+command=\/usr\/bin\/python3 -m http\.server 8081/);
});

test('check on a fresh host: the package, then the unit it brings (predicted, not a failure), the config', async (t) => {
  const host = fakeHost({ state: {}, facts: managedList([]) });
  const r = await host.run(supervisor({ programs: { web: WEB } }).configure!(pluginContext()), { check: true });
  t.deepEqual(r.statuses, ['changed', 'changed', 'changed', 'ok'], JSON.stringify(r.results.map((x) => x.error?.message ?? x.reason)));
  t.deepEqual(host.applied, []);
});
