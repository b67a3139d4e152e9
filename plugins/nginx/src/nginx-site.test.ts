import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNoop, LocalConnection, runTask, type Changes } from '@runbook/core';
import type { FileState } from '@runbook/system';
import { checkSite, missingFact, nginxSite, siteScript, type NginxSiteOptions, type SiteState } from './nginx-site.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const o: NginxSiteOptions = { name: 'shop', content: 'server {}\n' };
const file = (content: string, attrs: Partial<FileState> = {}): FileState => ({
  kind: 'file', mode: '0644', uid: 0, owner: 'root', gid: 0, group: 'root', size: content.length, sha256: sha(content), content: Buffer.from(content), ...attrs,
});
const linked: FileState = { kind: 'symlink', target: '/etc/nginx/sites-available/shop', uid: 0, owner: 'root', gid: 0, group: 'root' };
const absent: FileState = { kind: 'absent' };

const plans = test.macro({
  exec(t, facts: { file: FileState; link: FileState }, expected: { changes?: string[]; state?: SiteState; noop?: RegExp; diff?: RegExp }) {
    const plan = checkSite(facts, o);
    if (expected.noop) {
      t.true(isNoop(plan), JSON.stringify(plan));
      if (isNoop(plan)) t.regex(plan.noop, expected.noop);
      return;
    }
    t.false(isNoop(plan));
    const p = plan as Changes<SiteState>;
    t.deepEqual(p.changes, expected.changes);
    t.deepEqual(p.state, expected.state);
    if (expected.diff) t.regex(p.diff ?? '', expected.diff);
  },
  title: (name = '') => `plans: ${name}`,
});

test('nothing there: create and link', plans, { file: absent, link: absent }, {
  changes: ['create /etc/nginx/sites-available/shop (1 lines)', 'link /etc/nginx/sites-enabled/shop → /etc/nginx/sites-available/shop'],
  state: { write: true, link: true },
  diff: /^--- \/dev\/null\n\+\+\+ \/etc\/nginx\/sites-available\/shop\n@@ -0,0 \+1 @@\n\+server \{\}\n$/,
});
test('up to date', plans, { file: file('server {}\n'), link: linked }, { noop: /up to date and enabled/ });
test('content differs: update with a diff', plans, { file: file('server { listen 80; }\n'), link: linked }, {
  changes: ['update /etc/nginx/sites-available/shop (1 → 1 lines)'],
  state: { write: true, link: false },
  diff: /-server \{ listen 80; \}\n\+server \{\}\n/,
});
test('same content, wrong mode: rewrite', plans, { file: file('server {}\n', { mode: '0600' }), link: linked }, {
  changes: ['mode/owner 0600 root:root → 0644 root:root'],
  state: { write: true, link: false },
});
test('file fine, link missing', plans, { file: file('server {}\n'), link: absent }, {
  changes: ['link /etc/nginx/sites-enabled/shop → /etc/nginx/sites-available/shop'],
  state: { write: false, link: true },
});
test('link points elsewhere', plans, { file: file('server {}\n'), link: { ...linked, target: '/tmp/x' } }, {
  changes: ['relink /etc/nginx/sites-enabled/shop: /tmp/x → /etc/nginx/sites-available/shop'],
  state: { write: false, link: true },
});

const tlsSite: NginxSiteOptions = { ...o, content: 'server { listen 443 ssl; }\n', pending: { paths: ['/etc/cert.pem', '/etc/key.pem'], content: 'server {}\n' } };
const pendingCases: [string, { file: FileState; missing: string[] }, { changes?: string[]; state?: SiteState; noop?: RegExp }][] = [
  ['certificate missing, nothing there: the pending version is written', { file: absent, missing: ['/etc/cert.pem', '/etc/key.pem'] }, {
    changes: ['create /etc/nginx/sites-available/shop (1 lines) (without /etc/cert.pem, /etc/key.pem: not there yet)', 'link /etc/nginx/sites-enabled/shop → /etc/nginx/sites-available/shop'],
    state: { write: true, link: true, content: 'server {}\n' },
  }],
  ['key missing, pending version in place: no change, says what it waits for', { file: file('server {}\n'), missing: ['/etc/key.pem'] }, {
    noop: /up to date and enabled \(without \/etc\/key\.pem: not there yet\)/,
  }],
  ['both there, pending version in place: the full content replaces it', { file: file('server {}\n'), missing: [] }, {
    changes: ['update /etc/nginx/sites-available/shop (1 → 1 lines)'],
    state: { write: true, link: false },
  }],
  ['both there, full content in place: no change', { file: file('server { listen 443 ssl; }\n'), missing: [] }, { noop: /up to date and enabled$/ }],
];
for (const [name, f, expected] of pendingCases) {
  test(`pending: ${name}`, (t) => {
    const plan = checkSite({ file: f.file, link: f.file.kind === 'absent' ? absent : linked, missing: f.missing }, tlsSite);
    if (expected.noop) return t.regex((plan as { noop: string }).noop, expected.noop);
    t.deepEqual((plan as Changes<SiteState>).changes, expected.changes);
    t.deepEqual((plan as Changes<SiteState>).state, expected.state);
  });
}

test('pending: the fact lists the missing paths; the script writes the pending content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-pending-'));
  writeFileSync(join(dir, 'cert.pem'), 'x');
  const fact = missingFact([join(dir, 'cert.pem'), join(dir, "it's key.pem")]);
  const out = await new LocalConnection().exec(fact.command);
  t.deepEqual(fact.parse({ ...out, code: out.code ?? 0 }), [join(dir, "it's key.pem")]);
  t.true(siteScript({ write: true, link: false, content: 'pending {}\n' }, tlsSite).includes(Buffer.from('pending {}\n').toString('base64')));
  t.throws(() => nginxSite({ ...o, pending: { paths: ['relative.pem'], content: '' } }), { message: /pending: expected/ });
  rmSync(dir, { recursive: true, force: true });
});

test('a regular file in sites-enabled is refused', (t) => {
  const e = t.throws(() => checkSite({ file: absent, link: file('x') }, o));
  t.regex(e!.message, /not a link/);
});

test('bad names are refused when the task is made', (t) => {
  t.throws(() => nginxSite({ name: '../evil', content: '' }), { message: /nginx.site: name/ });
  t.throws(() => nginxSite({ name: 'ok', content: '', validateWith: [] }), { message: /validateWith/ });
});

// Real shell on this machine (as root, like CI: the task chowns to 0:0): the gate with a stand-in
// validator that rejects "bogus_directive".
function sandbox() {
  const root = mkdtempSync(join(tmpdir(), `rb-nginx sp'q"$(x)-`));
  const availableDir = join(root, 'sites-available');
  const enabledDir = join(root, 'sites-enabled');
  mkdirSync(availableDir);
  mkdirSync(enabledDir);
  const validateWith = ['sh', '-c', 'if grep -Rq bogus_directive "$1"; then echo "nginx: [emerg] unknown directive \\"bogus_directive\\" in $1/x:1" >&2; echo "nginx: configuration file test failed" >&2; exit 1; fi', 'sh', enabledDir];
  const task = (content: string) => nginxSite({ name: 'shop', content, availableDir, enabledDir, validateWith });
  const run = async (content: string) => runTask(new LocalConnection(), task(content), { alias: 'localhost', user: 'root', vars: {}, check: false });
  const temps = () => [...readdirSync(availableDir), ...readdirSync(enabledDir)].filter((f) => f.startsWith('.rb'));
  return { root, availableDir, enabledDir, run, temps, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test.serial('real shell: create, no-op, update; a rejected change restores the previous file', async (t) => {
  const s = sandbox();
  try {
    t.is((await s.run('server { a; }\n')).status, 'changed');
    t.is(readlinkSync(join(s.enabledDir, 'shop')), join(s.availableDir, 'shop'));
    t.is(statSync(join(s.availableDir, 'shop')).mode & 0o777, 0o644);
    t.is((await s.run('server { a; }\n')).status, 'ok');
    t.is((await s.run('server { b; }\n')).status, 'changed');

    const bad = await s.run('server { bogus_directive on; }\n');
    t.is(bad.status, 'failed');
    t.regex(bad.error!.message, /nginx -t failed \(previous config restored\): nginx: \[emerg\] unknown directive "bogus_directive"/);
    t.is(readFileSync(join(s.availableDir, 'shop'), 'utf8'), 'server { b; }\n');
    t.is(readlinkSync(join(s.enabledDir, 'shop')), join(s.availableDir, 'shop'));
    t.deepEqual(s.temps(), []);
    t.is((await s.run('server { b; }\n')).status, 'ok');
  } finally {
    s.cleanup();
  }
});

test.serial('real shell: a rejected new site leaves no file and no link; an old link is put back', async (t) => {
  const s = sandbox();
  try {
    const bad = await s.run('bogus_directive on;\n');
    t.is(bad.status, 'failed');
    t.false(existsSync(join(s.availableDir, 'shop')));
    t.deepEqual(readdirSync(s.enabledDir), []);

    writeFileSync(join(s.root, 'old'), 'server { old; }\n');
    symlinkSync(join(s.root, 'old'), join(s.enabledDir, 'shop'));
    t.is((await s.run('bogus_directive on;\n')).status, 'failed');
    t.is(readlinkSync(join(s.enabledDir, 'shop')), join(s.root, 'old'));
    t.false(existsSync(join(s.availableDir, 'shop')));
    t.deepEqual(s.temps(), []);
  } finally {
    s.cleanup();
  }
});
