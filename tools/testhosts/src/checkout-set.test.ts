import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkoutRoot, checkoutSet } from './checkout-set.js';
import { SET_RE } from './names.js';

const checkout = (gitFile: boolean) => {
  const root = mkdtempSync(join(tmpdir(), 'rb-checkout-'));
  if (gitFile) writeFileSync(join(root, '.git'), 'gitdir: /elsewhere\n');
  else mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'plugins', 'x'), { recursive: true });
  return root;
};

test('the checkout is the nearest directory with .git (a worktree has a .git file)', (t) => {
  const a = checkout(false);
  const b = checkout(true);
  t.is(checkoutRoot(join(a, 'plugins', 'x')), a);
  t.is(checkoutRoot(join(b, 'plugins', 'x')), b);
});

test('one name within a checkout, another in a second checkout or for another base; always a valid set name', (t) => {
  const a = checkout(false);
  const b = checkout(true);
  const name = checkoutSet('itsupervisor', join(a, 'plugins', 'x'));
  t.regex(name, /^itsupervisor-[a-z]{5}$/);
  t.is(checkoutSet('itsupervisor', a), name);
  t.not(checkoutSet('itsupervisor', b), name);
  t.not(checkoutSet('itgunicorn', a).slice(-5), name.slice(-5));
  for (const base of ['a', 'it7x', `it${'x'.repeat(30)}`, 'it-some-thing']) t.regex(checkoutSet(base, a), SET_RE);
  t.true(checkoutSet(`it${'x'.repeat(30)}`, a).length <= 32);
});

test('a base outside the set-name rules is refused', (t) => {
  t.throws(() => checkoutSet('It1'), { message: /invalid set name/ });
});
