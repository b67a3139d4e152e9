import test from 'ava';
import { parseVenvUse, pruneVenvsType, venvsToPrune } from './prune-venvs.js';

const root = '/srv/shop';

test('venvs no release links to go; linked ones stay (with or without a trailing slash)', (t) => {
  const use = { used: ['/srv/shop/.venvs/aaaa', '/srv/shop/.venvs/bbbb/', '/srv/shop/.venvs/aaaa'], venvs: ['aaaa', 'bbbb', 'cccc', 'dddd'] };
  t.deepEqual(venvsToPrune(use, root), ['cccc', 'dddd']);
  t.deepEqual(venvsToPrune({ used: [], venvs: [] }, root), []);
  t.deepEqual(venvsToPrune({ used: ['/srv/other/.venvs/aaaa'], venvs: ['aaaa'] }, root), ['aaaa'], 'another root’s venv is no use');
});

test('plan and script: re-tests each venv before removing it', (t) => {
  const use = parseVenvUse('used\t/srv/shop/.venvs/aaaa\nvenv\taaaa\nvenv\tcccc\n');
  const plan = pruneVenvsType.check({ use }, { root }, {} as never);
  t.deepEqual(plan, { changes: ['remove unused venv cccc'], state: ['cccc'] });
  t.deepEqual(pruneVenvsType.check({ use: { used: ['/srv/shop/.venvs/aaaa'], venvs: ['aaaa'] } }, { root }, {} as never), { noop: '1 venv(s), all used by a release' });
  const [cmd] = pruneVenvsType.apply(plan as never, { root }, {} as never);
  t.is(cmd.display, 'rm -rf .venvs/cccc');
  t.regex(cmd.script, /readlink -- "\$l" 2>\/dev\/null\)" = '?\/srv\/shop\/\.venvs\/cccc'? \]; then keep=1/);
});
