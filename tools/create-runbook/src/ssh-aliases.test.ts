import test from 'ava';
import { sshAliases } from './ssh-aliases.js';
import { SSH_CONFIG } from '../test/helpers/project.js';

test('aliases of Host lines without patterns, each with the first HostName of a block naming it', (t) => {
  t.deepEqual(sshAliases(SSH_CONFIG), [
    { alias: 'prod-web-1', hostname: '10.0.0.11' },
    { alias: 'prod-web-2' },
    { alias: 'stg-1', hostname: 'stg.example.com' },
  ]);
});

test('Host=alias, comments, quotes and Match blocks', (t) => {
  t.deepEqual(sshAliases('Host="db 1"  # the database\n  HostName=10.0.0.5\nMatch host x\n  HostName 1.1.1.1\n'), [{ alias: 'db 1', hostname: '10.0.0.5' }]);
});
