/**
 * `server.firewall`: ufw with incoming denied by default and exactly the given allow rules. Rules are
 * compared in the form `ufw show added` prints them (`allow 22/tcp`, `allow from 10.0.0.0/8 to any port
 * 5432 proto tcp`), so rules added by hand show up as removals. The apply script allows the ssh rule
 * first, then the others, removes the stale ones, sets the default and only then enables ufw: the run's
 * own connection is allowed before anything can drop it (and ufw keeps established connections anyway).
 */
import { changes, defineTask, errors, noop, quote } from '@runbook/core';
import { unifiedDiff } from '@runbook/system';
import type { ResolvedRule } from './options.js';

export interface FirewallOptions {
  /** the ssh port this run connects on: allowed first, never removed */
  sshPort: number;
  /** the other rules, in order */
  allow: ResolvedRule[];
}

export interface FirewallFacts {
  installed: boolean;
  active: boolean;
  /** DEFAULT_INPUT_POLICY of /etc/default/ufw: DROP, REJECT or ACCEPT */
  incoming: string;
  /** the user rules, as `ufw show added` prints them without the leading `ufw ` */
  rules: string[];
}

interface FirewallState { add: string[]; remove: string[]; setDefault: boolean; enable: boolean }

/** A rule as ufw prints it (and takes it as arguments). */
export const ruleText = (r: ResolvedRule): string =>
  r.from ? `allow from ${r.from} to any port ${r.port} proto ${r.proto}` : `allow ${r.port}/${r.proto}`;

/** The wanted rules: the ssh port first, then the others, without duplicates. */
export const wantedRules = (o: FirewallOptions): string[] =>
  [...new Set([ruleText({ port: String(o.sshPort), proto: 'tcp' }), ...o.allow.map(ruleText)])];

const FACT = [
  'command -v ufw >/dev/null 2>&1 || { echo missing; exit 0; }',
  'ufw status | sed -n 1p',
  "sed -n 's/^DEFAULT_INPUT_POLICY=\"*\\([A-Z]*\\)\"*$/\\1/p' /etc/default/ufw",
  "ufw show added | sed -n 's/^ufw //p'",
].join('\n');

export function parseFirewall(r: { stdout: string; stderr: string; code: number }): FirewallFacts {
  const lines = r.stdout.split('\n').filter(Boolean);
  if (lines[0] === 'missing') return { installed: false, active: false, incoming: '', rules: [] };
  const status = /^Status: (active|inactive)$/.exec(lines[0] ?? '');
  if (r.code !== 0 || !status) {
    throw errors.fact(`ufw status failed: ${r.stderr.trim().split('\n').pop() || lines[0] || 'no output'} (a container needs CAP_NET_ADMIN for a firewall)`);
  }
  return { installed: true, active: status[1] === 'active', incoming: lines[1] ?? '', rules: lines.slice(2) };
}

/** The firewall's state as a text, for --diff. */
const describeState = (active: boolean, incoming: string, rules: string[]): string =>
  [`status: ${active ? 'active' : 'inactive'}`, `default incoming: ${incoming.toLowerCase() || 'unknown'}`, ...rules].join('\n') + '\n';

export function planFirewall(f: FirewallFacts, o: FirewallOptions): FirewallState {
  const wanted = wantedRules(o);
  return {
    add: wanted.filter((r) => !f.rules.includes(r)),
    remove: f.rules.filter((r) => !wanted.includes(r)),
    setDefault: f.incoming !== 'DROP',
    enable: !f.active,
  };
}

const changeLines = (s: FirewallState): string[] => [
  ...s.add.map((r) => `add rule: ${r}`),
  ...s.remove.map((r) => `remove rule: ${r}`),
  ...(s.setDefault ? ['default incoming: deny'] : []),
  ...(s.enable ? ['enable ufw'] : []),
];

/** `ufw <words>` with each word quoted (the words come from validated options or from ufw itself). */
const ufw = (...words: string[]): string => `ufw ${words.map((w) => quote(w)).join(' ')} >/dev/null`;

export const firewall = defineTask<FirewallOptions, { ufw: FirewallFacts }, FirewallState>({
  name: 'server.firewall',
  describe: (o) => `ufw: deny incoming, allow ${wantedRules(o).length} rule(s)`,
  validate(o) {
    if (!Number.isInteger(o.sshPort) || o.sshPort < 1 || o.sshPort > 65535) throw errors.options(`sshPort must be a port 1–65535, got ${JSON.stringify(o.sshPort)}`, { key: 'sshPort' });
  },
  facts: () => ({ ufw: { command: FACT, parse: parseFirewall } }),
  check({ ufw: f }, o) {
    const wanted = wantedRules(o);
    if (!f.installed) {
      throw errors.missing('E_FACT', 'ufw is not installed (install it with apt first)', 'ufw',
        changeLines(planFirewall({ installed: true, active: false, incoming: '', rules: [] }, o)));
    }
    const s = planFirewall(f, o);
    const lines = changeLines(s);
    if (lines.length === 0) return noop(`ufw active, incoming denied, ${wanted.length} rule(s) allowed: ${wanted.join(', ')}`);
    return changes(lines, {
      state: s,
      diff: unifiedDiff('ufw', describeState(f.active, f.incoming, f.rules), describeState(true, 'DROP', [...f.rules.filter((r) => !s.remove.includes(r)), ...s.add])),
    });
  },
  apply: (p) => {
    const s = p.state!;
    // order matters: the ssh rule (first of `add`) before anything that could drop it
    const script = [
      ...s.add.map((r) => ufw(...r.split(' '))),
      ...s.remove.map((r) => ufw('delete', ...r.split(' '))),
      ...(s.setDefault ? [ufw('default', 'deny', 'incoming')] : []),
      ...(s.enable ? ['ufw --force enable >/dev/null'] : []),
    ].join('\n');
    return [{ script, display: `ufw: ${changeLines(s).join('; ')}` }];
  },
});
