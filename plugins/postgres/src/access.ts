/**
 * `postgres.access`: who may reach PostgreSQL over the network. With clients on other hosts, the
 * server listens on localhost and the host's private address (a file of its own in Debian's conf.d,
 * next to postgresql.conf) and pg_hba.conf lets exactly those hosts in, each for its database and role
 * with a SCRAM password (a block of its own at the end of pg_hba.conf). Without them, both are absent:
 * Debian's defaults, localhost only. State, not notification: a server whose listen_addresses differs
 * from the wanted one is restarted, a pg_hba.conf newer than the server's last config load is reloaded,
 * so a run that failed between a change and its restart or reload is healed by the next one.
 */
import { changes, defineTask, errors, noop, quote, type Command, type FactOutput, type Plan, type TaskType } from '@runbook/core';
import { isIP } from 'node:net';
import { NAME } from './psql.js';
import { hostCidr } from './postgres-fleet.js';

export interface AccessClient {
  /** @example 'shop' */
  database: string;
  /** @example 'shop' */
  user: string;
  /** an IP address @example '10.0.1.12' */
  address: string;
}

export interface AccessOptions {
  /** addresses to listen on besides localhost; `[]`: Debian's default (localhost only) @example ['10.0.1.11'] */
  listen: string[];
  /** hosts let in over the network, one pg_hba.conf line each */
  clients: AccessClient[];
}

export type AccessFact =
  | { server: false }
  | {
      server: true;
      /** runbook's file in conf.d */
      confFile: string;
      hbaFile: string;
      /** the running server's listen_addresses */
      listening: string;
      /** runbook's conf.d file; undefined when absent */
      conf?: string;
      /** runbook's block of pg_hba.conf, marker lines included; '' when absent */
      block: string;
      /** pg_hba.conf changed after the server last loaded its configuration */
      hbaStale: boolean;
    };

const BEGIN = '# BEGIN runbook (@runbook/postgres): the env\'s hosts that reach the database; edits are replaced';
const END = '# END runbook';
const CONF_NAME = 'runbook.conf';

/** runbook's conf.d file for these addresses (localhost first). */
export const renderListenConf = (listen: string[]): string =>
  `# written by runbook (@runbook/postgres): localhost and the private address, for the env's other hosts; edits are replaced\nlisten_addresses = '${['localhost', ...listen].join(',')}'\n`;

/** runbook's pg_hba.conf block: one line per client, SCRAM only. '' for none. */
export function renderHbaBlock(clients: AccessClient[]): string {
  if (!clients.length) return '';
  const lines = clients.map((c) => ['host', c.database, c.user, hostCidr(c.address), 'scram-sha-256'].join('\t'));
  return [BEGIN, ...lines, END, ''].join('\n');
}

/** Prints the paths, the running listen_addresses, `hba-stale`, runbook's conf file and pg_hba block between marks. */
export function accessScript(): string {
  const psql = (sql: string) => `runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 -c ${quote(sql)}`;
  return [
    'if ! command -v psql >/dev/null 2>&1 || ! getent passwd postgres >/dev/null; then echo noserver; exit 0; fi',
    'cd / || exit 1',
    `row=$(${psql("SELECT current_setting('config_file') || '|' || current_setting('hba_file') || '|' || current_setting('listen_addresses') || '|' || extract(epoch from pg_conf_load_time())")}) || exit 1`,
    'conf=${row%%|*}; row=${row#*|}; hba=${row%%|*}; row=${row#*|}; listen=${row%%|*}; loaded=${row#*|}',
    `ours="$(dirname "$conf")/conf.d/${CONF_NAME}"`,
    'printf \'conf-file %s\\nhba-file %s\\nlistening %s\\n\' "$ours" "$hba" "$listen"',
    `awk -v m="$(stat -c %.9Y -- "$hba")" -v s="$loaded" 'BEGIN { exit !(m > s) }' && echo hba-stale`,
    'if [ -e "$ours" ]; then echo conf-begin; cat -- "$ours"; echo conf-end; fi',
    `echo block-begin; sed -n '/^# BEGIN runbook/,/^# END runbook/p' -- "$hba"; echo block-end`,
  ].join('\n');
}

const between = (out: string, from: string, to: string): string | undefined => {
  const a = out.indexOf(`\n${from}\n`);
  const b = out.indexOf(`\n${to}\n`, a + 1);
  return a < 0 || b < 0 ? undefined : out.slice(a + from.length + 2, b + 1);
};

export function parseAccess(stdout: string): AccessFact {
  if (stdout.trim() === 'noserver') return { server: false };
  const out = `\n${stdout}`;
  const field = (k: string) => new RegExp(`\\n${k} (.*)\\n`).exec(out)?.[1];
  const confFile = field('conf-file');
  const hbaFile = field('hba-file');
  if (!confFile || !hbaFile) throw errors.fact(`postgres.access: unexpected output: ${stdout.trim().split('\n')[0] ?? ''}`);
  const conf = between(out, 'conf-begin', 'conf-end');
  return {
    server: true, confFile, hbaFile, listening: field('listening') ?? '', ...(conf !== undefined ? { conf } : {}), block: between(out, 'block-begin', 'block-end') ?? '', hbaStale: /\nhba-stale\n/.test(out),
  };
}

interface AccessState {
  conf?: { path: string; content?: string };
  hba?: { path: string; block: string };
  restart?: { listen?: string };
  reload?: boolean;
}

const clientLines = (block: string): string[] => block.split('\n').filter((l) => l.startsWith('host'));
const describeLine = (l: string): string => {
  const [, db, user, cidr] = l.split('\t');
  return `${user} to ${db} from ${cidr}`;
};

export function checkAccess(f: AccessFact, o: AccessOptions, check: boolean): Plan<AccessState> {
  const want = o.listen.length ? ['localhost', ...o.listen].join(',') : undefined;
  if (!f.server) {
    if (!check) throw errors.fact('postgres.access: psql or the postgres user is missing on the host (is the postgresql package installed?)');
    return want ? changes([`listen on ${want}, let ${o.clients.length} host(s) in (PostgreSQL not installed yet)`]) : noop('localhost only (PostgreSQL not installed yet)');
  }
  const list: string[] = [];
  const state: AccessState = {};
  const conf = want ? renderListenConf(o.listen) : undefined;
  if (conf !== f.conf) {
    state.conf = { path: f.confFile, content: conf };
    list.push(want ? `listen_addresses = '${want}' (${f.confFile})` : `remove ${f.confFile}: listen on localhost only`);
  }
  const block = renderHbaBlock(o.clients);
  if (block !== f.block) {
    state.hba = { path: f.hbaFile, block };
    const [had, has] = [clientLines(f.block), clientLines(block)];
    for (const l of has.filter((x) => !had.includes(x))) list.push(`pg_hba.conf: let ${describeLine(l)} in`);
    for (const l of had.filter((x) => !has.includes(x))) list.push(`pg_hba.conf: no longer let ${describeLine(l)} in`);
    if (has.length === had.length && has.every((l) => had.includes(l))) list.push('pg_hba.conf: rewrite runbook\'s block');
  }
  // listen_addresses takes a restart; pg_hba.conf a reload (a restart reloads it too)
  if (state.conf || (want && f.listening !== want)) {
    state.restart = { listen: want };
    list.push(`restart PostgreSQL: listening on ${f.listening}${want ? `, wanted ${want}` : ''}`);
  } else if (state.hba || f.hbaStale) {
    state.reload = true;
    list.push(`reload PostgreSQL${state.hba ? '' : ': pg_hba.conf changed since it last loaded it'}`);
  }
  if (!list.length) {
    return noop(o.clients.length ? `listening on ${f.listening}; pg_hba.conf lets ${o.clients.length} host(s) of the env in` : `no other host needs it: listening on ${f.listening}`);
  }
  return changes(list, { state });
}

/** Writes through a temp file beside the target, keeping the target's owner and mode (postgres, 0640 for pg_hba). */
function writeConf(c: NonNullable<AccessState['conf']>): Command {
  const p = quote(c.path);
  if (c.content === undefined) return { script: `rm -f -- ${p}`, display: `rm -f ${c.path}` };
  return {
    script: [
      `tmp=$(mktemp ${quote(`${c.path}.rb.XXXXXX`)}) || exit 1`,
      `printf '%s' ${quote(c.content)} > "$tmp" && chown postgres:postgres "$tmp" && chmod 0644 "$tmp" && mv -f -- "$tmp" ${p} || { rm -f "$tmp"; exit 1; }`,
    ].join('\n'),
    display: `write ${c.path}`,
  };
}

function writeHba(h: NonNullable<AccessState['hba']>): Command {
  const p = quote(h.path);
  return {
    script: [
      `tmp=$(mktemp ${quote(`${h.path}.rb.XXXXXX`)}) || exit 1`,
      `{ awk '/^# BEGIN runbook/ { skip = 1 } !skip { print } /^# END runbook/ { skip = 0 }' ${p} > "$tmp"`,
      `  ${h.block ? `printf '%s' ${quote(h.block)} >> "$tmp"` : ':'}`,
      `  chown --reference=${p} "$tmp" && chmod --reference=${p} "$tmp" && mv -f -- "$tmp" ${p}; } || { rm -f "$tmp"; exit 1; }`,
    ].join('\n'),
    display: `update runbook's block in ${h.path}`,
  };
}

const asPostgres = (sql: string) => `runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 -c ${quote(sql)}`;

/** A pg_hba.conf with an error would lock everyone out on restart: refuse before any signal. */
const hbaValid = [
  'cd / || exit 1',
  `bad=$(${asPostgres("SELECT 'line ' || line_number || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL")}) || exit 1`,
  'if [ -n "$bad" ]; then printf \'pg_hba.conf has errors, not loaded: %s\\n\' "$bad" >&2; exit 1; fi',
].join('\n');

function apply(s: AccessState): Command[] {
  const cmds: Command[] = [];
  if (s.conf) cmds.push(writeConf(s.conf));
  if (s.hba) cmds.push(writeHba(s.hba));
  if (s.restart) {
    const verify = s.restart.listen === undefined ? [] : [
      // another file (postgresql.auto.conf, a later conf.d file) may set listen_addresses after ours
      `for i in 1 2 3 4 5 6 7 8 9 10; do now=$(${asPostgres('SHOW listen_addresses')} 2>/dev/null) && break; sleep 0.5; done`,
      `[ "$now" = ${quote(s.restart.listen)} ] || { printf '%s\\n' ${quote(`after the restart PostgreSQL listens on`)}" \${now:-?}, not ${s.restart.listen}: another file sets listen_addresses (see the pg_file_settings view)" >&2; exit 1; }`,
    ];
    cmds.push({ script: [hbaValid, 'systemctl restart postgresql', ...verify].join('\n'), display: 'systemctl restart postgresql' });
  }
  if (s.reload) cmds.push({ script: `${hbaValid}\n${asPostgres('SELECT pg_reload_conf()')} >/dev/null`, display: 'psql: SELECT pg_reload_conf()' });
  return cmds;
}

export const accessType: TaskType<AccessOptions, { access: AccessFact }, AccessState> = {
  name: 'postgres.access',
  describe: (o) => (o.clients.length ? `network access for ${o.clients.length} host(s)` : 'network access: localhost only'),
  validate(o) {
    if (!Array.isArray(o.listen) || o.listen.some((a) => !isIP(a))) throw errors.options(`listen: expected IP addresses, got ${JSON.stringify(o.listen)}`, { key: 'listen' });
    if (!Array.isArray(o.clients)) throw errors.options('clients: expected an array', { key: 'clients' });
    for (const c of o.clients) {
      if (!isIP(c.address)) throw errors.options(`clients: ${JSON.stringify(c.address)} is no IP address`, { key: 'clients' });
      if (!NAME.test(c.database) || !NAME.test(c.user)) throw errors.options(`clients: database and user must be lower-case SQL names, got ${JSON.stringify([c.database, c.user])}`, { key: 'clients' });
    }
  },
  facts: () => ({
    access: {
      command: accessScript(),
      parse: (out: FactOutput) => {
        if (out.code !== 0) throw errors.fact(`psql failed (exit ${out.code}): ${out.stderr.trim().split('\n').pop()}`);
        return parseAccess(out.stdout);
      },
    },
  }),
  check: (f, o, ctx) => checkAccess(f.access, o, ctx.check),
  apply: (plan) => apply(plan.state!),
};

/**
 * Listen on these addresses besides localhost, and let exactly these hosts in (pg_hba, SCRAM).
 * @example access({ listen: ['10.0.1.11'], clients: [{ database: 'shop', user: 'shop', address: '10.0.1.12' }] })
 */
export const access = defineTask(accessType);
