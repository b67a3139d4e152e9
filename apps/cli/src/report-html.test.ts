import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAILED_MESSAGE, fleetRun, runFileText } from '../test/helpers/fleet-run.js';
import { reportCommand } from './report-command.js';
import { renderReport } from './report-html.js';
import { runsDir } from './run-log.js';

const noExternal = (t: { false(v: boolean, m?: string): void }, html: string) => {
  t.false(/<script/i.test(html), 'no script');
  t.false(/<link\b/i.test(html), 'no stylesheet link');
  t.false(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'nothing loaded from elsewhere');
  t.false(/@import|url\(/i.test(html), 'no CSS import or url()');
};

test('the page names its hosts and tasks, a failed task’s message and stderr tail, diffs and per-host execs and bytes', (t) => {
  const html = renderReport(fleetRun({ hosts: 8 }));
  for (const h of ['web-1', 'web-4', 'web-6', 'web-7', 'web-8']) t.true(html.includes(`<td>${h}</td>`), h);
  t.true(html.includes('python manage.py migrate'));
  t.true(html.includes('django.db.utils.OperationalError: no such table: shop_order'));
  t.true(html.includes(FAILED_MESSAGE));
  t.regex(html, /<pre class="stderr">Traceback \(most recent call last\):/);
  t.regex(html, /<span class="add">\+DEBUG=0<\/span>/);
  t.regex(html, /connect ETIMEDOUT 10\.0\.0\.6:22/, 'the unreachable host’s error');
  t.regex(html, /<td class="n">6<\/td><td class="n">2\.1 MiB<\/td>/, 'execs and bytes sent of a host');
  t.regex(html, /<td>20261205T101500Z<\/td>/, 'the release a host serves');
  noExternal(t, html);
});

test('hosts with identical outcomes share one section, failed first; bars are sized by task time', (t) => {
  const html = renderReport(fleetRun({ hosts: 50 }));
  t.is(html.match(/<section /g)?.length, 3, 'the 47 that changed, the 2 that failed, the unreachable one');
  const order = [...html.matchAll(/<section id="g\d" class="group (\w+)"/g)].map((m) => m[1]);
  t.deepEqual(order, ['failed', 'unreachable', 'changed']);
  t.regex(html, /2 hosts: web-4, web-49/);
  t.regex(html, /47 hosts: web-1, web-2, web-3, web-5, web-7, web-8 …/);
  // app.code (~1.8 s of ~2.8 s) is the widest bar of the changed group
  const widths = [...html.split('class="group changed"')[1].matchAll(/width:([\d.]+)%/g)].map((m) => Number(m[1]));
  t.is(Math.max(...widths), widths[1]);
  t.true(widths[1] > 60, String(widths));
});

test('values are escaped: a title with markup stays text', (t) => {
  const f = fleetRun({ hosts: 1 });
  f.events.unshift({ type: 'task', host: 'web-1', phase: 'p', task: 'command.run', title: '<img src=x onerror=alert(1)> & "q"', status: 'ok', ms: 1 });
  const html = renderReport(f);
  t.false(html.includes('<img'));
  t.true(html.includes('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;'));
});

test('a 50-host run renders in well under a second', (t) => {
  const f = fleetRun({ hosts: 50 });
  const start = performance.now();
  const html = renderReport(f);
  const took = performance.now() - start;
  t.true(took < 250, `${took.toFixed(1)} ms`);
  t.log(`50 hosts: ${took.toFixed(1)} ms, ${(html.length / 1024).toFixed(0)} KiB`);
});

test('a run that never finished says so', (t) => {
  t.regex(renderReport(fleetRun({ hosts: 2, finished: false })), /the run did not finish/);
});

test('run report writes .runbook/reports/<run>.html (0600) from the newest run, or the one named, and prints its path', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rb-report-'));
  mkdirSync(runsDir(root), { recursive: true });
  for (const run of ['20261201T090000Z-aaaaaa', '20261202T090000Z-bbbbbb']) writeFileSync(join(runsDir(root), `${run}.ndjson`), runFileText(fleetRun({ hosts: 2, run })));
  let out = '';
  reportCommand(root, undefined, (s) => void (out += s));
  const newest = join(root, '.runbook/reports/20261202T090000Z-bbbbbb.html');
  t.is(out, `${newest}\n`);
  t.is(statSync(newest).mode & 0o777, 0o600);
  t.regex(readFileSync(newest, 'utf8'), /20261202T090000Z-bbbbbb/);
  out = '';
  reportCommand(root, 'aaaaaa', (s) => void (out += s));
  t.regex(out, /reports\/20261201T090000Z-aaaaaa\.html\n$/);
  t.throws(() => reportCommand(root, 'cccccc'), { message: /no run matches "cccccc" in .*runs; latest: 20261202T090000Z-bbbbbb, 20261201T090000Z-aaaaaa/ });
});
