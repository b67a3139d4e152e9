import test from 'ava';
import { asIn, execUser, usersExec, type Who } from './exec-user.js';

const root: Who = { sudo: true, name: 'root' };
const rootLogin: Who = { sudo: false, name: 'root' };
const app: Who = { sudo: true, user: 'app', name: 'app' };
const other: Who = { sudo: true, user: 'web', name: 'web' };
const login: Who = { sudo: false, name: 'deploy' };

test('root and another user share root’s exec, in either order; two other users or a plain login user do not', (t) => {
  t.is(execUser(root, app), root);
  t.is(execUser(app, root), root);
  t.is(execUser(rootLogin, app), rootLogin);
  t.is(execUser(app, app), app);
  t.is(execUser(app, other), undefined);
  t.is(execUser(login, app), undefined, 'a login user that does not become root cannot run runuser');
  t.is(usersExec([app, root, other]), root);
});

test('a step of another user in root’s exec names that user; in its own exec it names none', (t) => {
  const step = { script: 'id', errexit: false, stopOnFailure: false };
  t.is(asIn(step, app, root).user, 'app');
  t.is(asIn(step, app, app).user, undefined);
  t.is(asIn(step, root, root).user, undefined);
});
