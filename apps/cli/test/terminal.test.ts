/**
 * The terminal view (listr2) through the real binary, in a pseudo-terminal made by script(1): a host with
 * nothing to do in the playbook (never connected) ends its line at once instead of keeping the run open.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../dist/bin.js');
const playbook = join(import.meta.dirname, 'fixtures/only-localhost.ts');

for (const [kind, env] of [['a playbook', {}], ['a fleet transaction (a deploy with a data host)', { STAGES: '1' }]] as const) {
  test(`${kind}: a host with nothing to do says "nothing to do (not connected)", the run ends, its recap line says 0`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-terminal-'));
    writeFileSync(join(dir, 'package.json'), '{"name":"p"}');
    writeFileSync(join(dir, '.runbookrc.json'), '{"secrets": false}');
    mkdirSync(join(dir, 'inventories'));
    // 10.255.255.1 answers nobody: a connection attempt would fail the run (exit 3)
    writeFileSync(join(dir, 'inventories/local.yml'), 'hosts:\n  localhost: { hostname: localhost, become: false }\n  data: { hostname: 10.255.255.1 }\n');
    // a pty of 200 columns: script(1) run without a terminal makes one 0 wide
    const r = await new Promise<{ code: number | null; out: string }>((res) =>
      execFile('script', ['-qec', `stty cols 200 rows 50; node ${bin} ${playbook} --env local`, '/dev/null'],
        { cwd: dir, timeout: 60_000, env: { ...process.env, CI: '', TERM: 'xterm', ...env } },
        (e, stdout) => res({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout })));
    const text = r.out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    t.is(r.code, 0, text);
    t.regex(text, /data: nothing to do \(not connected\)/);
    t.regex(text, /^data +ok=0 +changed=0 +failed=0 +skipped=0 +unreachable=0/m);
    t.regex(text, /^localhost +ok=0 +changed=1 /m);
  });
}
