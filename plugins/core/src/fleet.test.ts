import test from 'ava';
import { fleetOf, placedHosts } from './fleet.js';

const fleet = fleetOf([
  { alias: 'web-1', hostname: '10.0.0.11', groups: ['all', 'web'], vars: {} },
  { alias: 'web-2', hostname: '10.0.0.12', groups: ['all', 'web'], vars: { privateAddress: '192.168.0.12' } },
  { alias: 'worker-1', hostname: '10.0.0.21', groups: ['all', 'worker'], vars: {} },
  { alias: 'db-1', hostname: '10.0.0.31', groups: ['all', 'data'], vars: {} },
], new Set(['web-1', 'web-2']));
const aliases = (on: Parameters<typeof placedHosts>[1]) => placedHosts(fleet, on, 'celery').map((h) => h.alias);

test('the fleet: private address from the host var, else the hostname; which hosts the run selected', (t) => {
  t.deepEqual(fleet.map((h) => [h.alias, h.address, h.inRun]), [
    ['web-1', '10.0.0.11', true], ['web-2', '192.168.0.12', true], ['worker-1', '10.0.0.21', false], ['db-1', '10.0.0.31', false],
  ]);
  t.throws(() => fleetOf([{ alias: 'x', hostname: 'x', groups: ['all'], vars: { privateAddress: 5 } }], new Set()), { message: /x: privateAddress must be an address string, got 5/ });
});

test('placement: every host by default; groups, aliases, globs, lists and exclusions, in fleet order', (t) => {
  t.deepEqual(aliases(undefined), ['web-1', 'web-2', 'worker-1', 'db-1']);
  t.deepEqual(aliases('web'), ['web-1', 'web-2']);
  t.deepEqual(aliases(['worker', 'web-2']), ['web-2', 'worker-1']);
  t.deepEqual(aliases('worker,web-1'), ['web-1', 'worker-1']);
  t.deepEqual(aliases('*-1'), ['web-1', 'worker-1', 'db-1']);
  t.deepEqual(aliases('!data'), ['web-1', 'web-2', 'worker-1']);
  t.deepEqual(aliases('all,!web'), ['worker-1', 'db-1']);
});

test('placement: a name that is no host and no group is an error naming the plugin, the groups and the hosts', (t) => {
  t.throws(() => aliases('wokrer'), { code: 'E_CONFIG', message: 'celery: on "wokrer" names no host or group of this env; groups: all, web, worker, data; hosts: web-1, web-2, worker-1, db-1' } as never);
  t.throws(() => aliases(''), { message: /on must name hosts or groups/ });
});
