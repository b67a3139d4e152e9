import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessType, checkAccess, parseAccess, renderHbaBlock, renderListenConf, type AccessFact, type AccessOptions } from './access.js';

const CONF = '/etc/postgresql/15/main/conf.d/runbook.conf';
const HBA = '/etc/postgresql/15/main/pg_hba.conf';
const web2 = { database: 'shop', user: 'shop', address: '10.0.1.12' };
const web3 = { database: 'shop', user: 'shop', address: '10.0.1.13' };
const wired: AccessOptions = { listen: ['10.0.1.11'], clients: [web2, web3] };
const alone: AccessOptions = { listen: [], clients: [] };

const fact = (f: Partial<Extract<AccessFact, { server: true }>> = {}): AccessFact => ({
  server: true, confFile: CONF, hbaFile: HBA, listening: 'localhost', block: '', hbaStale: false, ...f,
});
const inPlace = fact({ listening: 'localhost,10.0.1.11', conf: renderListenConf(['10.0.1.11']), block: renderHbaBlock([web2, web3]) });

test('parse: paths, the running listen_addresses, runbook\'s file and block, a stale pg_hba.conf', (t) => {
  const block = renderHbaBlock([web2]);
  const out = `conf-file ${CONF}\nhba-file ${HBA}\nlistening localhost,10.0.1.11\nhba-stale\nconf-begin\n${renderListenConf(['10.0.1.11'])}conf-end\nblock-begin\n${block}block-end\n`;
  t.deepEqual(parseAccess(out), {
    server: true, confFile: CONF, hbaFile: HBA, listening: 'localhost,10.0.1.11', conf: renderListenConf(['10.0.1.11']), block, hbaStale: true,
  });
  t.deepEqual(parseAccess(`conf-file ${CONF}\nhba-file ${HBA}\nlistening localhost\nblock-begin\nblock-end\n`), fact());
  t.deepEqual(parseAccess('noserver\n'), { server: false });
});

test('the pg_hba block: one SCRAM line per client, /32 for IPv4 and /128 for IPv6; none without clients', (t) => {
  t.is(renderHbaBlock([web2, { database: 'shop', user: 'shop_app', address: 'fd00::7' }]), [
    "# BEGIN runbook (@runbook/postgres): the env's hosts that reach the database; edits are replaced",
    'host\tshop\tshop\t10.0.1.12/32\tscram-sha-256',
    'host\tshop\tshop_app\tfd00::7/128\tscram-sha-256',
    '# END runbook',
    '',
  ].join('\n'));
  t.is(renderHbaBlock([]), '');
  t.regex(renderListenConf(['10.0.1.11']), /^listen_addresses = 'localhost,10\.0\.1\.11'$/m);
});

const plan = test.macro((t, f: AccessFact, o: AccessOptions, expected: string[] | string, check?: boolean) => {
  check ??= false;
  const p = checkAccess(f, o, check);
  if (typeof expected === 'string') t.deepEqual(p, { noop: expected });
  else t.deepEqual('changes' in p ? p.changes : p, expected);
});
test('clients on other hosts, fresh server: listen, let each in, restart', plan, fact(), wired, [
  `listen_addresses = 'localhost,10.0.1.11' (${CONF})`,
  'pg_hba.conf: let shop to shop from 10.0.1.12/32 in',
  'pg_hba.conf: let shop to shop from 10.0.1.13/32 in',
  'restart PostgreSQL: listening on localhost, wanted localhost,10.0.1.11',
]);
test('all in place: no-op', plan, inPlace, wired, 'listening on localhost,10.0.1.11; pg_hba.conf lets 2 host(s) of the env in');
test('a host left the env: its line goes, a reload (no restart)', plan, inPlace, { ...wired, clients: [web2] }, [
  'pg_hba.conf: no longer let shop to shop from 10.0.1.13/32 in',
  'reload PostgreSQL',
]);
test('pg_hba.conf newer than the loaded config (a run stopped before its reload): reload', plan, { ...inPlace, hbaStale: true }, wired, [
  'reload PostgreSQL: pg_hba.conf changed since it last loaded it',
]);
test('file in place, server not restarted since (a run stopped before its restart): restart', plan, { ...inPlace, listening: 'localhost' }, wired, [
  'restart PostgreSQL: listening on localhost, wanted localhost,10.0.1.11',
]);
test('a single host: nothing to do, Debian\'s defaults', plan, fact(), alone, 'no other host needs it: listening on localhost');
test('back to a single host: runbook\'s file and block go, restart', plan, inPlace, alone, [
  `remove ${CONF}: listen on localhost only`,
  'pg_hba.conf: no longer let shop to shop from 10.0.1.12/32 in',
  'pg_hba.conf: no longer let shop to shop from 10.0.1.13/32 in',
  'restart PostgreSQL: listening on localhost,10.0.1.11',
]);
test('--check before PostgreSQL is installed', plan, { server: false }, wired, ['listen on localhost,10.0.1.11, let 2 host(s) in (PostgreSQL not installed yet)'], true);
test('--check before PostgreSQL is installed, single host', plan, { server: false }, alone, 'localhost only (PostgreSQL not installed yet)', true);

test('a real run without PostgreSQL fails naming the package', (t) => {
  t.throws(() => checkAccess({ server: false }, wired, false), { message: /is the postgresql package installed/ });
});

test('validate: addresses must be IPs, names SQL names', (t) => {
  t.throws(() => accessType.validate!({ listen: ['db.example.com'], clients: [] }), { message: /listen: expected IP addresses/ });
  t.throws(() => accessType.validate!({ listen: [], clients: [{ ...web2, address: 'web-2' }] }), { message: /"web-2" is no IP address/ });
  t.throws(() => accessType.validate!({ listen: [], clients: [{ ...web2, user: 'Shop' }] }), { message: /lower-case SQL names/ });
});

test('apply: the restart refuses a pg_hba.conf with errors before signalling, and checks listen_addresses after', (t) => {
  const p = checkAccess(fact(), wired, false);
  const cmds = accessType.apply(p as never, wired, {} as never);
  t.deepEqual(cmds.map((c) => c.display), [`write ${CONF}`, `update runbook's block in ${HBA}`, 'systemctl restart postgresql']);
  const restart = cmds[2].script;
  t.true(restart.indexOf('pg_hba_file_rules') < restart.indexOf('systemctl restart postgresql'));
  t.regex(restart, /SHOW listen_addresses/);
});

test('apply on real files: the block replaces runbook\'s old one, keeps every other line, and goes when empty', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-hba-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hba = join(dir, 'pg_hba.conf');
  const debian = 'local\tall\tpostgres\t\tpeer\nhost\tall\tall\t127.0.0.1/32\tscram-sha-256\n';
  writeFileSync(hba, `${debian}${renderHbaBlock([web3])}`, { mode: 0o640 });
  const run = (block: string) => {
    const cmds = accessType.apply({ changes: [], state: { hba: { path: hba, block } } } as never, wired, {} as never);
    execFileSync('sh', ['-c', cmds.map((c) => c.script).join('\n')]);
  };
  run(renderHbaBlock([web2, web3]));
  t.is(readFileSync(hba, 'utf8'), `${debian}${renderHbaBlock([web2, web3])}`);
  run('');
  t.is(readFileSync(hba, 'utf8'), debian);
  t.is(execFileSync('stat', ['-c', '%a', hba], { encoding: 'utf8' }).trim(), '640', 'mode kept');
});
