import test from 'ava';
import { changes, type TaskContext } from '@runbook/core';
import { overSsh, releaseCodeType } from './release-code.js';

test('overSsh: ssh URLs and scp-like addresses, not https, file or local paths', (t) => {
  for (const r of ['ssh://git@github.com/acme/shop.git', 'git@github.com:acme/shop.git', 'git@localhost:/srv/git/demo.git', 'host:repo.git']) t.true(overSsh(r), r);
  for (const r of ['https://github.com/acme/shop.git', 'file:///srv/x.git', 'git://host/x.git', '/srv/x.git', './x.git']) t.false(overSsh(r), r);
});

const ctx: TaskContext = { alias: 'h', user: 'deploy', runAs: 'root', vars: {}, check: false };
const apply = (repo: string) =>
  releaseCodeType.apply(changes(['x']), { root: '/srv/a', id: 'r1', owner: 'a', group: 'a', source: { git: { repo, ref: 'main' } } }, ctx);

test('a git fetch over ssh asks for the forwarded agent and explains its absence', (t) => {
  const [cmd] = apply('git@github.com:acme/shop.git');
  t.true(cmd.agent);
  t.regex(cmd.script, /no ssh agent was forwarded to this host/);
  const [https] = apply('https://github.com/acme/shop.git');
  t.falsy(https.agent);
  t.notRegex(https.script, /agent/);
});
