/**
 * `run report`: one self-contained HTML page from a run file — inline CSS, no script, no external asset,
 * so it can be mailed, attached to a ticket or opened offline. Hosts with identical outcomes (the same
 * tasks with the same statuses, changes, diffs and errors) share one section, so 50 hosts that did the
 * same thing read as one; the timeline of a group shows each task's mean time on its hosts.
 * Everything in a run file was masked before it was written; the page only escapes it.
 */
import { basename } from 'node:path';
import type { ErrorInfo, HostRecap, RunEvent } from '@runbook/core';
import { hostOutcome } from './history.js';
import type { RunFile } from './run-files.js';

type TaskEvent = Extract<RunEvent, { type: 'task' }>;

interface HostView {
  alias: string;
  tasks: TaskEvent[];
  unreachable?: ErrorInfo;
  recap?: HostRecap;
  outcome: string;
}

interface Group {
  hosts: HostView[];
  outcome: string;
}

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(0)} s` : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const tail = (s: string, lines = 20) => s.split('\n').filter((l, i, a) => l || i < a.length - 1).slice(-lines).join('\n');

/** what makes two hosts' outcomes the same: everything but times */
const signature = (h: HostView) =>
  JSON.stringify([h.unreachable?.message, h.tasks.map((t) => [t.phase, t.task, t.title, t.status, t.handler, t.block, t.changes, t.diff, t.error?.message, t.error?.stderr])]);

function hostViews(f: RunFile): HostView[] {
  const recap = f.result?.hosts ?? [...f.events].reverse().find((e) => e.type === 'recap')?.hosts ?? {};
  const views = new Map<string, HostView>();
  const view = (alias: string) => {
    let v = views.get(alias);
    if (!v) views.set(alias, (v = { alias, tasks: [], outcome: '' }));
    return v;
  };
  for (const a of f.header.hosts) view(a);
  for (const e of f.events) {
    if (e.type === 'task') view(e.host).tasks.push(e);
    else if (e.type === 'host' && e.status === 'unreachable') view(e.host).unreachable = e.error;
  }
  for (const v of views.values()) {
    v.recap = recap[v.alias];
    v.outcome = v.unreachable ? 'unreachable' : hostOutcome(v.recap, f.header.check);
    if (!v.recap && v.tasks.some((t) => t.status === 'failed')) v.outcome = 'failed';
  }
  return [...views.values()];
}

const rank: Record<string, number> = { failed: 0, unreachable: 1, unfinished: 2, drift: 3, changed: 4, ok: 5 };

export function groupHosts(hosts: HostView[]): Group[] {
  const by = new Map<string, HostView[]>();
  for (const h of hosts) by.set(signature(h), [...(by.get(signature(h)) ?? []), h]);
  return [...by.values()]
    .map((list) => ({ hosts: list, outcome: list[0].outcome }))
    .sort((a, b) => (rank[a.outcome] ?? 9) - (rank[b.outcome] ?? 9) || b.hosts.length - a.hosts.length);
}

function errorBlock(e: ErrorInfo): string {
  return `<div class="error"><b>${esc(e.code)}</b> ${esc(e.message)}${e.command ? `<div class="cmd">command: <code>${esc(e.command)}</code></div>` : ''}${
    e.stderr ? `<pre class="stderr">${esc(tail(e.stderr))}</pre>` : ''}</div>`;
}

function diffBlock(diff: string): string {
  const lines = diff.split('\n').map((l) => {
    const cls = l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : '';
    return cls ? `<span class="${cls}">${esc(l)}</span>` : esc(l);
  });
  return `<details><summary>diff</summary><pre class="diff">${lines.join('\n')}</pre></details>`;
}

function groupSection(g: Group, i: number): string {
  const first = g.hosts[0];
  const n = g.hosts.length;
  // a task's time in this group: the mean over its hosts (the same tasks, in the same order, on each)
  const means = first.tasks.map((_, k) => g.hosts.reduce((s, h) => s + (h.tasks[k]?.ms ?? 0), 0) / n);
  const total = means.reduce((s, x) => s + x, 0) || 1;
  let start = 0;
  const rows = first.tasks.map((t, k) => {
    const left = (start / total) * 100;
    const width = Math.max((means[k] / total) * 100, 0.3);
    start += means[k];
    const detail = [
      t.changes?.length ? `<ul class="changes">${t.changes.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>` : '',
      t.reason && t.status !== 'changed' ? `<div class="reason">${esc(t.reason)}</div>` : '',
      t.diff ? diffBlock(t.diff) : '',
      t.error ? errorBlock(t.error) : '',
    ].join('');
    const tag = [t.phase, t.handler ? 'handler' : '', t.block ?? ''].filter(Boolean).join(' · ');
    return `<tr class="${esc(t.status)}"><td><span class="st ${esc(t.status)}">${esc(t.status)}</span></td>` +
      `<td class="task"><b>${esc(t.task)}</b> ${esc(t.title)}<div class="phase">${esc(tag)}</div>${detail}</td>` +
      `<td class="tl"><div class="bar ${esc(t.status)}" style="margin-left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div></td>` +
      `<td class="ms">${ms(means[k])}</td></tr>`;
  });
  const names = g.hosts.map((h) => esc(h.alias)).join(', ');
  const counts = ['ok', 'changed', 'failed', 'skipped'].map((s) => `${first.tasks.filter((t) => t.status === s).length} ${s}`).join(' · ');
  return `<section id="g${i + 1}" class="group ${esc(g.outcome)}"><h2><span class="st ${esc(g.outcome)}">${esc(g.outcome)}</span> ` +
    `${n} host${n === 1 ? '' : 's'}: ${n > 12 ? `${esc(g.hosts.slice(0, 6).map((h) => h.alias).join(', '))} …` : names}</h2>` +
    (n > 12 ? `<details><summary>all ${n} hosts</summary><p class="hosts">${names}</p></details>` : '') +
    (first.unreachable ? errorBlock(first.unreachable) : '') +
    (first.tasks.length
      ? `<p class="counts">tasks: ${counts} · ${ms(total)} in tasks${n > 1 ? ' (mean per host)' : ''}</p>` +
        `<table class="tasks"><thead><tr><th>status</th><th>task</th><th class="tl">where the time went</th><th>time</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="counts">no task ran</p>') +
    '</section>';
}

function recapTable(hosts: HostView[], groupOf: Map<string, number>): string {
  const rows = hosts.map((h) => {
    const r = h.recap;
    const cells = r
      ? [r.ok, r.changed, r.failed, r.skipped, r.execs, bytes(r.bytesSent), bytes(r.bytesReceived), ms(r.ms)].map((c) => `<td class="n">${esc(c)}</td>`).join('')
      : '<td colspan="8" class="n">no recap</td>';
    const g = groupOf.get(h.alias)!;
    return `<tr><td>${esc(h.alias)}</td><td><span class="st ${esc(h.outcome)}">${esc(h.outcome)}</span></td>${cells}` +
      `<td>${esc(r?.state?.release ?? '')}</td><td><a href="#g${g}">group ${g}</a></td></tr>`;
  });
  return '<table class="recap"><thead><tr><th>host</th><th>result</th><th>ok</th><th>changed</th><th>failed</th><th>skipped</th>' +
    `<th>execs</th><th>sent</th><th>received</th><th>time</th><th>release</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const css = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
th{background:#f4f6f9;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.meta td:first-child{color:#5b6475;width:8em}.meta{width:auto;margin-bottom:16px}
.st{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;font-weight:600;color:#fff;background:#6b7280}
.st.ok{background:#2f8f46}.st.changed,.st.drift{background:#b7791f}.st.failed,.st.unreachable{background:#c53030}.st.skipped{background:#9aa3b2}.st.unfinished{background:#6b46c1}
.group{border:1px solid #d5dae3;border-radius:6px;padding:12px;margin:16px 0}.group.failed,.group.unreachable{border-color:#c53030}
.phase{color:#5b6475;font-size:12px}.counts{color:#5b6475}.hosts{word-spacing:2px}
table.tasks{table-layout:fixed}table.tasks th:first-child{width:90px}table.tasks th:last-child{width:70px}th.tl{width:35%}td.task{overflow-wrap:anywhere}.bar{height:12px;border-radius:2px;background:#2f8f46;margin-top:4px}
.bar.changed{background:#d69e2e}.bar.failed{background:#c53030}.bar.skipped{background:#cbd2dc}td.ms{white-space:nowrap;text-align:right}
.changes{margin:4px 0;padding-left:18px}.reason{color:#5b6475;font-size:12px}
.error{background:#fff5f5;border-left:3px solid #c53030;padding:6px 8px;margin:6px 0}.cmd{font-size:12px;color:#5b6475}
pre{background:#f7f8fa;padding:6px 8px;overflow-x:auto;font-size:12px;margin:4px 0;white-space:pre-wrap}
pre.stderr{background:#fdecec}.diff .add{color:#22863a}.diff .del{color:#b31d28}.note{font-weight:600;color:#c53030}
`;

export function renderReport(f: RunFile): string {
  const h = f.header;
  const hosts = hostViews(f);
  const groups = groupHosts(hosts);
  const groupOf = new Map(groups.flatMap((g, i) => g.hosts.map((v) => [v.alias, i + 1] as const)));
  const by = new Map<string, number>();
  for (const v of hosts) by.set(v.outcome, (by.get(v.outcome) ?? 0) + 1);
  const summary = [...by].map(([o, n]) => `<span class="st ${esc(o)}">${n} ${esc(o)}</span>`).join(' ');
  const r = f.result;
  const notes = [
    !r ? 'the run did not finish: its file ends before the result (killed, or still running)' : '',
    r?.interrupted ? `stopped by ${r.interrupted}` : '',
    r?.aborted ? `run stopped: ${r.aborted}` : '',
    r?.error ? `error: ${r.error}` : '',
    ...f.events.filter((e): e is Extract<RunEvent, { type: 'aborted' }> => e.type === 'aborted' && e.reason !== r?.aborted).map((e) => `run stopped: ${e.reason}`),
  ].filter(Boolean);
  const playbook = /[/\\]/.test(h.playbook) ? basename(h.playbook) : h.playbook;
  const meta: [string, string][] = [
    ['run', h.run], ['who', h.who], ['commit', h.commit ?? '(not a git repository)'], ['started', h.startedAt],
    ['took', r ? ms(r.ms) : '?'], ['exit code', r ? String(r.exitCode) : '?'], ['command', `run ${h.argv.join(' ')}`],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`run ${playbook} --env ${h.env}${h.check ? ' --check' : ''} · ${h.run}`)}</title><style>${css}</style></head>
<body><h1>run ${esc(playbook)} --env ${esc(h.env)}${h.check ? ' --check' : ''}</h1>
<table class="meta">${meta.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<p>${hosts.length} host${hosts.length === 1 ? '' : 's'} ${summary} · ${groups.length} group${groups.length === 1 ? '' : 's'} of identical outcomes</p>
${groups.map(groupSection).join('\n')}
<h2>Hosts</h2>
${recapTable(hosts, groupOf)}
</body></html>
`;
}
