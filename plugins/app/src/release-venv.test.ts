import test from 'ava';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection, runTask } from '@runbook/core';
import { parseVenvFacts, planVenv, releaseVenv, venvKey, type ReleaseVenvOptions, type VenvFacts } from './release-venv.js';

const o: ReleaseVenvOptions = { root: '/srv/shop', rel: '/srv/shop/releases/r2', requirements: 'requirements.txt', pipArgs: [], systemSitePackages: true };
const PY = '3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]';
const base: VenvFacts = { requirementsHash: 'a'.repeat(64), hasRequirements: true, local: false, python: PY, complete: [] };
const key = venvKey(base, o);
const dir = `/srv/shop/.venvs/${key}`;

const plan = (f: Partial<VenvFacts>, opts: Partial<ReleaseVenvOptions> = {}) => planVenv({ ...base, ...f }, { ...o, ...opts });
const action = (p: ReturnType<typeof planVenv>): string => ('noop' in p ? 'noop' : p.state!.build ? (p.state!.pip ? 'build+pip' : 'build --without-pip') : 'reuse');

const cases: [string, Partial<VenvFacts>, Partial<ReleaseVenvOptions>, string][] = [
  ['same inputs as a complete venv → reuse', { complete: [key] }, {}, 'reuse'],
  ['same inputs, the release already links it → nothing', { complete: [key], link: dir }, {}, 'noop'],
  ['no venv of these inputs yet → build', {}, {}, 'build+pip'],
  ['changed requirements → build', { complete: [key], requirementsHash: 'b'.repeat(64) }, {}, 'build+pip'],
  ['another python → build', { complete: [key], python: '3.12.1 (main) [GCC 13]' }, {}, 'build+pip'],
  ['other pipArgs → build', { complete: [key] }, { pipArgs: ['--no-index'] }, 'build+pip'],
  ['without system site packages → build', { complete: [key] }, { systemSitePackages: false }, 'build+pip'],
  ['a requirement that points into the code → the release’s own venv', { complete: [key], local: true }, {}, 'build+pip'],
  ['no requirement lines → --without-pip', { complete: [key], requirementsHash: 'c'.repeat(64), hasRequirements: false }, {}, 'build --without-pip'],
  ['no requirements file → --without-pip', { requirementsHash: undefined, hasRequirements: false }, {}, 'build --without-pip'],
  ['the link points at an incomplete (killed) build → build again', { link: dir }, {}, 'build+pip'],
];
for (const [title, f, opts, want] of cases) test(`plan: ${title}`, (t) => t.is(action(plan(f, opts)), want));

test('plan lines name the venv directory and the commands', (t) => {
  t.deepEqual(plan({}), { changes: [`build venv ${dir}: python3 -m venv --system-site-packages ${dir}`, `install requirements.txt: ${dir}/bin/pip install --disable-pip-version-check -q -r requirements.txt`], state: { key, dir, build: true, pip: true } });
  t.regex((plan({ hasRequirements: false }) as { changes: string[] }).changes[0], /--without-pip/);
  t.deepEqual(plan({ complete: [key] }), { changes: [`reuse venv ${dir} (same requirements, python, pip args)`], state: { key, dir, build: false, pip: false } });
});

test('the key: a local requirement ties it to the release; each input counts', (t) => {
  t.not(venvKey({ ...base, local: true }, o), venvKey({ ...base, local: true }, { ...o, rel: '/srv/shop/releases/r3' }));
  t.is(venvKey(base, o), venvKey(base, { ...o, rel: '/srv/shop/releases/r3' }), 'the release itself is no input');
  t.regex(key, /^[0-9a-f]{16}$/);
});

test('a release not there yet (--check of a new release): a plan without a key', (t) => {
  t.deepEqual(planVenv(parseVenvFacts('norelease\n'), o), { changes: ["link .venv to the venv of the release's dependency inputs (built unless one of them exists)"] });
});

test('facts parse', (t) => {
  t.deepEqual(parseVenvFacts(`requirements\t${'a'.repeat(64)}\nlines\npython\t${PY}\nlink\t${dir}\ncomplete\t${key}\ncomplete\tffff\n`), { ...base, link: dir, complete: [key, 'ffff'] });
  t.deepEqual(parseVenvFacts(`python\t${PY}\n`), { hasRequirements: false, local: false, python: PY, complete: [] });
});

// a python3 stand-in on PATH: `-m venv DIR` makes DIR/bin/python and records its args; pip records its own
function fakePython(bin: string, log: string): void {
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'python3'), `#!/bin/sh
if [ "$1" = -c ]; then echo '3.11.2 (fake)'; exit 0; fi
for a; do d=$a; done
echo "venv $*" >> ${log}
mkdir -p "$d/bin"; printf '#!/bin/sh\\necho "pip $*" >> ${log}\\n' > "$d/bin/pip"; chmod +x "$d/bin/pip"; touch "$d/bin/python"
`);
  chmodSync(join(bin, 'python3'), 0o755);
}

test.serial('real shell: build once, reuse by link, rebuild on a changed requirement, start a killed build over', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rb-venv-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const bin = join(root, 'bin');
  const log = join(root, 'log');
  fakePython(bin, log);
  mkdirSync(join(root, '.venvs'));
  const release = (id: string, req: string) => {
    mkdirSync(join(root, 'releases', id), { recursive: true });
    writeFileSync(join(root, 'releases', id, 'requirements.txt'), req);
    return join(root, 'releases', id);
  };
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  t.teardown(() => void (process.env.PATH = path));
  const run = (rel: string) => runTask(new LocalConnection(), releaseVenv({ ...o, root, rel }), { alias: 'localhost', user: 'root', vars: {}, check: false });
  const logLines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

  const r1 = release('r1', 'flask==2.2\n');
  t.is((await run(r1)).status, 'changed');
  t.true(lstatSync(join(r1, '.venv')).isSymbolicLink());
  const v1 = readlinkSync(join(r1, '.venv'));
  t.regex(v1, new RegExp(`^${root}/\\.venvs/[0-9a-f]{16}$`));
  t.true(existsSync(join(v1, '.rb-complete')));
  t.is(logLines().length, 2, 'venv + pip');
  t.is((await run(r1)).status, 'ok', 'a second run changes nothing');

  const r2 = release('r2', 'flask==2.2\n');
  t.is((await run(r2)).status, 'changed');
  t.is(readlinkSync(join(r2, '.venv')), v1, 'same inputs: the same venv');
  t.is(logLines().length, 2, 'no build');

  const r3 = release('r3', 'flask==2.3\n');
  await run(r3);
  const v3 = readlinkSync(join(r3, '.venv'));
  t.not(v3, v1);
  t.is(logLines().length, 4);

  // a build killed before its end (no .rb-complete) is never reused: the next one starts it over
  rmSync(join(v3, '.rb-complete'));
  writeFileSync(join(v3, 'half'), '');
  const r4 = release('r4', 'flask==2.3\n');
  await run(r4);
  t.is(readlinkSync(join(r4, '.venv')), v3);
  t.false(existsSync(join(v3, 'half')), 'started over');
  t.true(existsSync(join(v3, '.rb-complete')));

  const r5 = release('r5', '# nothing yet\n');
  await run(r5);
  t.regex(logLines().at(-1)!, /^venv -m venv --system-site-packages --without-pip /);
});

test.serial('real shell: a build that fails leaves no venv directory; the error is the tool’s', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rb-venv-fail-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const bin = join(root, 'bin');
  fakePython(bin, join(root, 'log'));
  // a pip that fails halfway through
  writeFileSync(join(bin, 'python3'), readFileSync(join(bin, 'python3'), 'utf8').replace(`chmod +x "$d/bin/pip"`, `printf '#!/bin/sh\\necho "ERROR: No matching distribution found for nope" >&2; exit 1\\n' > "$d/bin/pip"; chmod +x "$d/bin/pip"`));
  const rel = join(root, 'releases', 'r1');
  mkdirSync(rel, { recursive: true });
  mkdirSync(join(root, '.venvs'));
  writeFileSync(join(rel, 'requirements.txt'), 'nope==1\n');
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  t.teardown(() => void (process.env.PATH = path));
  const r = await runTask(new LocalConnection(), releaseVenv({ ...o, root, rel }), { alias: 'localhost', user: 'root', vars: {}, check: false });
  t.is(r.status, 'failed');
  t.regex(r.error!.message, /pip install -r requirements\.txt failed \(exit 1\): ERROR: No matching distribution found for nope$/);
  t.deepEqual(readdirSync(join(root, '.venvs')), [], 'no half venv left');
  t.false(existsSync(join(rel, '.venv')));
});
