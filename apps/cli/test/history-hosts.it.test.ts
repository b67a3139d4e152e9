/**
 * `run history` reads the hosts (set `ithista`, two Debian hosts, through the real `run` binary): a
 * deploy made from a second copy of the project (its own .runbook, another who, as from another machine)
 * is listed in the first project's history with its who and release, marked `elsewhere`; the first
 * project's own deploy is listed once; a host that does not answer is named below the list and fails
 * nothing. The app is the smallest there is (a directory of files, no packages, no server), so the
 * configure and the three deploys take seconds. Fails, never skips, when the hosts cannot boot.
 */
import test from 'ava';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { up, type HostSet } from '@runbook/testhosts';
import { repo, stackProject, type Run } from './helpers/stack.js';

const SET = 'ithista';
const config = `
import { app } from '@runbook/app';
import { defineConfig } from '@runbook/core';
export default defineConfig({
  plugins: [app({ name: 'hist', source: { upload: { path: ${JSON.stringify(join(repo, 'apps/cli/test/fixtures'))} } }, packages: [] })],
});
`;
const secrets = 'SECRET_KEY=hist-secret-value-5c1e\n';
let hosts: HostSet;
let here: ReturnType<typeof stackProject>;
let there: ReturnType<typeof stackProject>;
const names = () => hosts.hosts.map((h) => h.name);
const ok = (r: Run) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
/** the release a run's own history names (its hosts' state after the run) */
const releaseOf = async (p: ReturnType<typeof stackProject>) =>
  JSON.parse((await p.run(['history', '--env', 'stg', '--local', '--json', '--last', '1'])).stdout.trim()).releases[0] as string;

test.before(async () => {
  hosts = await up({ set: SET, count: 2 });
  here = stackProject(SET, config, secrets);
  there = stackProject(SET, config, secrets);
  const configured = await here.run(['configure', '--env', 'stg']);
  if (configured.code !== 0) throw new Error(`configure: ${ok(configured)}`);
});
test.after.always(async () => {
  await hosts?.down();
});

test.serial('a deploy from another copy of the project shows in this one’s history with its who and release; an unreachable host is named', async (t) => {
  const mine = await here.run(['deploy', '--env', 'stg']);
  t.is(mine.code, 0, ok(mine));
  const theirs = await there.run(['deploy', '--env', 'stg'], { RUNBOOK_WHO: 'bob@other-machine' });
  t.is(theirs.code, 0, ok(theirs));
  const [myRelease, theirRelease] = [await releaseOf(here), await releaseOf(there)];
  t.not(myRelease, theirRelease);

  const [a, b] = names();
  const h = await here.run(['history', '--env', 'stg']);
  t.is(h.code, 0, ok(h));
  const lines = h.stdout.split('\n');
  const theirLine = lines.find((l) => l.includes(theirRelease));
  t.regex(theirLine ?? '', new RegExp(`bob@other-machine +deploy +${theirRelease} +elsewhere +ok: ${a}, ${b}$`), h.stdout);
  t.is(lines.filter((l) => l.includes(myRelease)).length, 1, `this project's deploy is listed once:\n${h.stdout}`);
  t.regex(lines.find((l) => l.includes(myRelease)) ?? '', /deploy +\S+ +exit 0 +changed: /);
  t.true(lines.indexOf(theirLine!) < lines.findIndex((l) => l.includes(myRelease)), 'newest first');
  t.false(h.stdout.includes('hist-secret-value'));

  // a host of the env that does not answer (nothing listens on its port): named, the others still read
  const inventory = join(here.dir, 'inventories/stg.yml');
  appendFileSync(inventory, `  ghost: { hostname: ${hosts.hosts[0].address}, port: 1 }\n`);
  t.regex(readFileSync(inventory, 'utf8'), /ghost/);
  const text = await here.run(['history', '--env', 'stg']);
  t.is(text.code, 0, ok(text));
  t.log(`run history --env stg, with ghost in the inventory:\n${text.stdout}`);
  t.regex(text.stdout, new RegExp(`bob@other-machine +deploy +${theirRelease} +elsewhere +ok: ${a}, ${b}$`, 'm'), 'the other hosts are still read');
  t.regex(text.stdout, /^not read: ghost: .*(ECONNREFUSED|refused)/im, text.stdout);
  // --limit picks the hosts read; --json ends with the hosts not read
  const j = await here.run(['history', '--env', 'stg', '--limit', 'ghost', '--json']);
  t.is(j.code, 0, ok(j));
  const objects = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  t.deepEqual(objects.filter((o) => o.source).map((o) => o.source), ['here', 'here'], 'only this machine’s deploy and configure: no other host was read');
  t.regex(objects.at(-1)?.hosts?.ghost ?? '', /ECONNREFUSED|refused/i, j.stdout);
});
