/**
 * `systemd.unit`: a unit file (optional), enabled or not, started/stopped, or restarted/reloaded as an
 * action (what handlers use). `daemon-reload` runs only when this unit's file changed or systemd says
 * it needs one; a running service whose unit changed is restarted (`restartOnChange`).
 */
import { changes, defineTask, errors, isNoop, noop, quote, type Command, type FactRequest, type Plan, type TaskType } from '@runbook/core';
import { applyContent, planContent, type ContentSpec, type ContentState } from './content.js';
import { fileFact, type FileState } from './file-fact.js';
import { fail, oneOf, optionalBoolean, optionalString, requireObject } from './options.js';

export interface SystemdUnitOptions {
  /**
   * Unit name with its type suffix.
   * @example 'gunicorn.service'
   * @example 'gunicorn.socket'
   */
  name: string;
  /**
   * Content of /etc/systemd/system/<name> (mode 0644, root). Unset: the unit file is left alone.
   * @default undefined
   * @example '[Unit]\nDescription=App\n[Service]\nExecStart=/srv/app/venv/bin/gunicorn app.wsgi\n'
   */
  content?: string;
  /**
   * Start at boot (`systemctl enable`) or not (`disable`). Unset: left alone.
   * @default undefined
   * @example true
   */
  enabled?: boolean;
  /**
   * `started`/`stopped`: a state; `restarted`/`reloaded`: an action that always runs (and always
   * reports changed), for handlers. Unset: left alone.
   * @default undefined
   * @example 'started'
   */
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  /**
   * Restart a running unit (with `state: 'started'`) when its unit file changed.
   * @default true
   * @example false
   */
  restartOnChange?: boolean;
}

/** `systemctl show` properties the task reads. */
export interface UnitShow {
  LoadState: string;
  ActiveState: string;
  /** e.g. `running`, `auto-restart` (a failed unit waiting for systemd's next restart) */
  SubState: string;
  UnitFileState: string;
  NeedDaemonReload: string;
}

export const UNIT_DIR = '/etc/systemd/system';
const UNIT_NAME = /^[A-Za-z0-9_:.\\@][A-Za-z0-9_:.\\@-]*\.(service|socket|timer|target|path|mount|automount|swap|slice)$/;
/** unit file states in which `enabled: true` has nothing left to do */
const ENABLED_OK = new Set(['enabled', 'static', 'generated', 'alias', 'indirect', 'transient']);
const ACTIVE = new Set(['active', 'activating', 'reloading']);

export function parseShow(stdout: string): UnitShow {
  const show: Record<string, string> = { LoadState: '', ActiveState: '', SubState: '', UnitFileState: '', NeedDaemonReload: 'no' };
  for (const l of stdout.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) show[l.slice(0, i)] = l.slice(i + 1);
  }
  if (!show.LoadState) throw errors.fact(`systemctl show printed no LoadState`);
  return show as unknown as UnitShow;
}

const showFact = (name: string): FactRequest<UnitShow> => ({
  command: `systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- ${quote(name)}`,
  parse(out) {
    if (out.code !== 0) throw errors.fact(`systemctl show ${name} failed: ${out.stderr.trim() || `exit ${out.code}`}`);
    return parseShow(out.stdout);
  },
});

type Action = 'start' | 'stop' | 'restart' | 'reload';
interface UnitState {
  write?: ContentState;
  daemonReload: boolean;
  enable?: 'enable' | 'disable';
  action?: Action;
}

const specOf = (o: SystemdUnitOptions): ContentSpec => ({
  path: `${UNIT_DIR}/${o.name}`,
  content: Buffer.from(o.content ?? ''),
  sensitive: false,
  mode: '0644',
  owner: 'root',
  group: 'root',
});

/** What a unit looks like right after the package that brings it is installed, at the least. */
const JUST_INSTALLED: UnitShow = { LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead', UnitFileState: 'disabled', NeedDaemonReload: 'no' };

export function checkUnit(f: { show: UnitShow; file?: FileState }, o: SystemdUnitOptions): Plan<UnitState> {
  const { show } = f;
  const list: string[] = [];
  let write: ContentState | undefined;
  let diff: string | undefined;
  if (o.content !== undefined) {
    const p = planContent(f.file!, specOf(o));
    if (!('noop' in p)) {
      list.push(...p.changes);
      write = p.state;
      diff = p.diff;
    }
  }
  const unitChanged = write?.write === true;
  const known = show.LoadState !== 'not-found' || o.content !== undefined;
  const wantsRunning = o.enabled === true || (o.state !== undefined && o.state !== 'stopped');
  if (!known && wantsRunning) {
    // under --check, a package installed earlier in the run brings it: plan as for a unit just installed
    const fresh = checkUnit({ show: JUST_INSTALLED }, o);
    throw errors.missing('E_OPTIONS', `name: unit ${o.name} not found on the host (give content to create it)`, o.name,
      isNoop(fresh) ? [] : fresh.changes, { key: 'name' });
  }
  if (show.LoadState === 'masked' && wantsRunning) throw errors.options(`name: unit ${o.name} is masked`, { key: 'name' });
  // unit changed: daemon-reload before enable/start/restart
  const daemonReload = unitChanged || show.NeedDaemonReload === 'yes';
  if (daemonReload) list.push(`daemon-reload${unitChanged ? '' : ' (systemd says the unit changed on disk)'}`);
  let enable: UnitState['enable'];
  if (o.enabled === true && !ENABLED_OK.has(show.UnitFileState)) enable = 'enable';
  if (o.enabled === false && /^enabled/.test(show.UnitFileState)) enable = 'disable';
  if (enable) list.push(`${enable} ${o.name}`);
  // a crash-looping unit waiting for its next restart reads `activating (auto-restart)`: it is not running
  const active = ACTIVE.has(show.ActiveState) && show.SubState !== 'auto-restart';
  let action: Action | undefined;
  if (o.state === 'started' && !active) action = 'start';
  else if (o.state === 'started' && unitChanged && o.restartOnChange !== false) action = 'restart';
  else if (o.state === 'stopped' && active) action = 'stop';
  else if (o.state === 'restarted') action = 'restart';
  else if (o.state === 'reloaded') action = active ? 'reload' : 'start';
  if (action) list.push(`${action} ${o.name}${action === 'restart' && o.state === 'started' ? ' (unit changed)' : ''}`);
  if (!list.length) {
    const file = o.content !== undefined ? ', unit file up to date' : '';
    return noop(`${o.name} ${show.ActiveState}, ${show.UnitFileState || show.LoadState}${file}`);
  }
  return changes(list, { diff, state: { write, daemonReload, enable, action } });
}

function apply(s: UnitState, o: SystemdUnitOptions): Command[] {
  const n = quote(o.name);
  const cmds: Command[] = s.write ? applyContent(s.write, specOf(o)) : [];
  if (s.daemonReload) cmds.push({ script: 'systemctl daemon-reload', display: 'systemctl daemon-reload' });
  if (s.enable) cmds.push({ script: `systemctl ${s.enable} -- ${n}`, display: `systemctl ${s.enable} ${o.name}` });
  // a unit that fails to start says why in its journal, not in systemctl's answer: its last lines go to stderr
  const why = `{ rc=$?; journalctl --no-pager -o cat -n 15 -u ${n} >&2 || :; exit $rc; }`;
  if (s.action) cmds.push({ script: `systemctl ${s.action} -- ${n} || ${why}`, display: `systemctl ${s.action} ${o.name}` });
  return cmds;
}

export const systemdUnitType: TaskType<SystemdUnitOptions, { show: UnitShow; file?: FileState }, UnitState> = {
  name: 'systemd.unit',
  describe: (o) => o.name,
  validate(o) {
    requireObject('systemdUnit', o);
    if (typeof o.name !== 'string' || !UNIT_NAME.test(o.name)) {
      fail('name', 'a unit name ending in .service, .socket, .timer, .target, .path, .mount, .automount, .swap or .slice', o.name);
    }
    optionalString('content', o.content);
    optionalBoolean('enabled', o.enabled);
    oneOf('state', o.state, ['started', 'stopped', 'restarted', 'reloaded']);
    optionalBoolean('restartOnChange', o.restartOnChange);
  },
  facts: (o) => (o.content !== undefined ? { show: showFact(o.name), file: fileFact(`${UNIT_DIR}/${o.name}`) } : { show: showFact(o.name) }) as never,
  check: (f, o) => checkUnit(f, o),
  apply: (plan, o) => apply(plan.state!, o),
  // starting one unit may start or stop others (Requires=, sockets): unit changes never share an exec
  // drop-ins (`<name>.d/*.conf`) change the unit too: a file written there must flush before its facts are read
  touches: (o) => [`path:${UNIT_DIR}/${o.name}`, `tree:${UNIT_DIR}/${o.name}.d`, 'systemd'],
};

/**
 * A systemd unit.
 * @example systemdUnit({ name: 'gunicorn.socket', content: socketText, enabled: true, state: 'started' })
 * @example systemdUnit({ name: 'nginx.service', state: 'reloaded' }) // a handler
 */
export const systemdUnit = defineTask(systemdUnitType);
