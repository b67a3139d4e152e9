/**
 * What the hosts remember of deploys: per app root, the app plugin's audit lines (`<root>/deploy.log`:
 * `<time> <who> <action> <release> <status> [commit=<sha>]`) and release records
 * (`<root>/.releases/<id>.json`). Read by one exec per host (every app of the host in one script), all
 * hosts at once, each within a timeout; a host that cannot be read is named with the reason, never fatal.
 */
import { quote, type Connection } from '@runbook/core';

/** One recorded action of one app on one host. */
export interface AuditEvent {
  host: string;
  /** the app root, e.g. /srv/shop */
  root: string;
  time: string;
  who: string;
  /** deploy | rollback */
  action: string;
  release: string;
  /** ok | failed | rolled-back */
  status: string;
  commit?: string;
}

export interface AuditTarget {
  alias: string;
  roots: string[];
  connect(): Promise<Connection>;
}

export interface AuditRead {
  events: AuditEvent[];
  /** host → why it was not read */
  unread: Record<string, string>;
}

/** the newest lines of each deploy.log: enough for any listing, bounded for a log of years */
const LOG_LINES = 500;

/** The script of one host: for each root, its tagged lines (`root`, `log`, `record`, `unreadable`). */
export function auditScript(roots: string[]): string {
  return [
    `for r in ${roots.map(quote).join(' ')}; do`,
    `  printf 'root\\t%s\\n' "$r"`,
    `  f="$r/deploy.log"`,
    `  if [ -f "$f" ] && [ ! -r "$f" ]; then printf 'unreadable\\t%s\\n' "$f"`,
    `  elif [ -f "$f" ]; then tail -n ${LOG_LINES} -- "$f" | while IFS= read -r l; do printf 'log\\t%s\\n' "$l"; done; fi`,
    `  for f in "$r"/.releases/*.json; do [ -r "$f" ] && printf 'record\\t%s\\n' "$(tr -d '\\n' < "$f")"; done`,
    'done',
    'exit 0',
  ].join('\n');
}

/** `2026-12-06T00:40:01.123Z bob@ci deploy 20261206T004001Z-ab12cd ok commit=3f9a…`, read from the right (who may hold anything) */
export function parseLogLine(line: string): Omit<AuditEvent, 'host' | 'root'> | undefined {
  const words = line.trim().split(/\s+/);
  const commit = words.at(-1)?.startsWith('commit=') ? words.pop()!.slice(7) : undefined;
  if (words.length < 5 || Number.isNaN(Date.parse(words[0]))) return undefined;
  const [status, release, action] = [words.pop()!, words.pop()!, words.pop()!];
  return { time: words[0], who: words.slice(1).join(' '), action, release, status, ...(commit ? { commit } : {}) };
}

interface RecordLine {
  id?: string;
  commit?: string;
  status?: string;
  deployedAt?: string;
  deployedBy?: string;
  statusAt?: string;
  statusBy?: string;
}

/**
 * The events of one host's output. Records fill in what its log lacks (a log cut by `tail`, or lost):
 * the deploy itself (`deployedAt/By`) and a later rollback (`statusAt/By`).
 */
export function parseAudit(host: string, stdout: string): { events: AuditEvent[]; unreadable: string[] } {
  const events: AuditEvent[] = [];
  const unreadable: string[] = [];
  const records: { root: string; r: RecordLine }[] = [];
  let root = '';
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [kind, value] = [line.slice(0, tab), line.slice(tab + 1)];
    if (kind === 'root') root = value;
    else if (kind === 'unreadable') unreadable.push(value);
    else if (kind === 'log') {
      const e = parseLogLine(value);
      if (e) events.push({ host, root, ...e });
    } else if (kind === 'record') {
      try {
        records.push({ root, r: JSON.parse(value) as RecordLine });
      } catch {
        // a record cut short: its log line still tells
      }
    }
  }
  const logged = new Set(events.map((e) => `${e.root}\t${e.action}\t${e.release}`));
  for (const { root: at, r } of records) {
    if (!r.id || !r.status) continue;
    const commit = r.commit ? { commit: r.commit } : {};
    if (r.deployedAt && r.deployedBy && !logged.has(`${at}\tdeploy\t${r.id}`)) {
      // a status changed later by someone (a rollback) leaves the deploy itself ok
      const status = r.statusAt ? 'ok' : r.status;
      events.push({ host, root: at, time: r.deployedAt, who: r.deployedBy, action: 'deploy', release: r.id, status, ...commit });
    }
    if (r.status === 'rolled-back' && r.statusAt && r.statusBy && !logged.has(`${at}\trollback\t${r.id}`)) {
      events.push({ host, root: at, time: r.statusAt, who: r.statusBy, action: 'rollback', release: r.id, status: r.status, ...commit });
    }
  }
  return { events, unreadable };
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);

/** Reads every target at once; each gets `timeoutMs` for connecting and its one exec. Events come in the targets' order. */
export async function readAudits(targets: AuditTarget[], timeoutMs: number): Promise<AuditRead> {
  const read: AuditRead = { events: [], unread: {} };
  const perTarget = await Promise.all(targets.map(async (t): Promise<AuditEvent[]> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const connecting = t.connect();
    try {
      const conn = await Promise.race([connecting, late]);
      const out = await Promise.race([conn.exec('sh -s', { stdin: auditScript(t.roots) }), late]);
      if (out.code !== 0) throw new Error(`reading the audit failed: ${out.stderr.trim() || `exit ${out.code}`}`);
      const { events, unreadable } = parseAudit(t.alias, out.stdout);
      if (unreadable.length) read.unread[t.alias] = `cannot read ${unreadable.join(', ')} as the login user`;
      return events;
    } catch (e) {
      read.unread[t.alias] = firstLine(e);
      return [];
    } finally {
      clearTimeout(timer);
      // a connection that comes after the timeout is closed when it comes
      connecting.then((c) => c.close(), () => {});
    }
  }));
  read.events = perTarget.flat();
  return read;
}
