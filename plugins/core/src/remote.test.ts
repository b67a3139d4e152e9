import test from 'ava';
import { remoteShell } from './remote.js';

test('remoteShell: sudo drops SSH_AUTH_SOCK unless a command asks for the agent', (t) => {
  t.is(remoteShell({ sudo: false, agent: true }), `sh -s`);
  t.is(remoteShell({ sudo: true, user: 'app' }), `sudo -n -u app -H -- sh -s`);
  t.is(remoteShell({ sudo: true, agent: true }), `sudo -n -H -- env SSH_AUTH_SOCK="$SSH_AUTH_SOCK" sh -s`);
});
