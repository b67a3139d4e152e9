/** The celery plugin's options, their defaults and their validation (before anything connects). */
import { checkOptionKeys, errors, isSecret, optionKeys, type AppModel, type Placement, type PlacementOptions, type Secret } from '@runbook/core';

export interface CeleryBeatOptions {
  /**
   * Name of the beat service (`<unit>.service`).
   * @default 'celery-beat-<app name>'
   * @example 'shop-beat'
   */
  unit?: string;
  /**
   * Beat's schedule file (last run times), kept across releases.
   * @default '<app.shared>/celerybeat/schedule'
   * @example '/srv/shop/shared/beat/schedule'
   */
  schedule?: string;
  /**
   * The host that runs beat, one per env: the first host celery runs on that this names (an alias, a
   * group or a glob, like `on`). On celery's other hosts the beat unit is absent (an earlier one is
   * stopped, disabled and removed).
   * @default the first host celery runs on (inventory order)
   * @example 'worker-2'
   */
  on?: Placement;
}

export interface CeleryOptions {
  /**
   * The celery application (`celery -A <app>`): a module (celery looks for its `app`/`celery` attribute
   * or its `celery` submodule) or `module:attribute`.
   * @default the package of site.app.wsgi ('shop.wsgi:application' → 'shop', Django's layout)
   * @example 'demo_flask.tasks:celery'
   */
  app?: string;
  /**
   * Name of the worker service (`<unit>.service`).
   * @default 'celery-<app name>'
   * @example 'shop-worker'
   */
  unit?: string;
  /**
   * The broker URL, put into the app's `.env` as CELERY_BROKER_URL (a Secret when it holds a password).
   * Unset: the site model's broker (@runbook/dragonfly), else CELERY_BROKER_URL of the env's secrets.
   * @default site.broker.url
   * @example 'redis://127.0.0.1:6379/0'
   */
  broker?: string | Secret;
  /**
   * Worker processes (`--concurrency`). Unset: celery's default, the number of CPU cores.
   * @default CPU cores
   * @example 4
   */
  concurrency?: number;
  /**
   * Queues the worker consumes (`--queues`). Empty: celery's default queue.
   * @default []
   * @example ['celery', 'webhooks']
   */
  queues?: string[];
  /**
   * `--loglevel` of worker and beat (the journal keeps their output).
   * @default 'info'
   * @example 'warning'
   */
  logLevel?: 'debug' | 'info' | 'warning' | 'error' | 'critical';
  /**
   * The worker's node name (`--hostname`); `%h` is the host name (escaped for systemd).
   * @default '<app name>@%h'
   * @example 'webhooks@%h'
   */
  nodeName?: string;
  /**
   * Seconds a stop (or a deploy's restart) waits for running tasks before killing them
   * (`TimeoutStopSec`): celery's warm shutdown finishes the tasks it has started.
   * @default 300
   * @example 1800
   */
  stopTimeout?: number;
  /**
   * Run celery beat (periodic tasks) as its own service: `true` or its options. One beat per env: on
   * the first host celery runs on, or the one `beat.on` names.
   * @default false
   * @example true
   * @example { on: 'worker-2' }
   */
  beat?: boolean | CeleryBeatOptions;
  /**
   * Worker-to-worker gossip, mingle and heartbeats over the broker's pub/sub (`celery worker` defaults).
   * Off by default (`--without-gossip --without-mingle --without-heartbeat`): with Debian 12's celery 5.2
   * and kombu 5.2 on a Redis-protocol broker, a worker that had them on reconnected after a broker
   * restart but never took a task again (5 of 8 kills on a test host; 0 of 20 with them off). Turn on for
   * `celery inspect`/flower-style remote control that needs them.
   * @default false
   */
  gossip?: boolean;
  /**
   * More `celery worker` arguments, appended (quoted for systemd).
   * @default []
   * @example ['--max-tasks-per-child', '100']
   */
  extraArgs?: string[];
}

export interface ResolvedCeleryOptions {
  app?: string;
  unit?: string;
  broker?: string | Secret;
  concurrency?: number;
  queues: string[];
  logLevel: string;
  nodeName?: string;
  stopTimeout: number;
  beat?: { unit?: string; schedule?: string; on?: Placement };
  gossip: boolean;
  extraArgs: string[];
}

/** the tasks get the plugin's options without `packages`, placement included */
const KEYS = optionKeys<CeleryOptions & PlacementOptions>({
  on: true, app: true, unit: true, broker: true, concurrency: true, queues: true, logLevel: true, nodeName: true, stopTimeout: true,
  beat: true, gossip: true, extraArgs: true,
});
const BEAT_KEYS = optionKeys<CeleryBeatOptions>({ unit: true, schedule: true, on: true });

const UNIT = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;
const PY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_.]*)?$/;
const QUEUE = /^[A-Za-z0-9_.@:-]+$/;
const NODE = /^[A-Za-z0-9_.@%-]+$/;
const BROKER = /^[a-z][a-z0-9+.-]*:\/\/\S*$/;
const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];

const bad = (key: string, expected: string, got: unknown): never => {
  // a broker URL may carry a password: never echo it
  throw errors.options(`celery: ${key} must be ${expected}, got ${key === 'broker' ? 'something else' : JSON.stringify(got)}`, { key });
};

const int = (key: string, v: unknown, min: number): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(key, `an integer ≥ ${min}`, v);
  return v as number;
};

const unit = (key: string, v: unknown): string | undefined => {
  if (v !== undefined && (typeof v !== 'string' || !UNIT.test(v))) bad(key, 'a systemd unit name without suffix (letters, digits, _ . @ -)', v);
  return v as string | undefined;
};

function beatOf(v: unknown): ResolvedCeleryOptions['beat'] {
  if (v === undefined || v === false) return undefined;
  if (v === true) return {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return bad('beat', 'a boolean or { unit?, schedule?, on? }', v);
  checkOptionKeys('celery', v, BEAT_KEYS, 'beat');
  const b = v as CeleryBeatOptions;
  if (b.schedule !== undefined && (typeof b.schedule !== 'string' || !/^\/[A-Za-z0-9_.\/-]+$/.test(b.schedule))) bad('beat.schedule', 'an absolute path (letters, digits, _ . / -)', b.schedule);
  const on = b.on;
  if (on !== undefined && !(typeof on === 'string' ? on.trim() : Array.isArray(on) && on.length && on.every((x) => typeof x === 'string' && x.trim()))) {
    bad('beat.on', "a host alias, group or glob (e.g. 'worker-2'), or a list of them", on);
  }
  return { unit: unit('beat.unit', b.unit), schedule: b.schedule, ...(on !== undefined ? { on } : {}) };
}

/** Applies defaults; throws E_OPTIONS naming the key for a value that cannot work. */
export function resolveCeleryOptions(o: CeleryOptions = {}): ResolvedCeleryOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('options', 'an object', o);
  checkOptionKeys('celery', o, KEYS);
  if (o.app !== undefined && (typeof o.app !== 'string' || !PY_PATH.test(o.app))) bad('app', `a python module path, optionally with ':attribute' (e.g. 'shop' or 'shop.tasks:celery')`, o.app);
  if (o.broker !== undefined) {
    const url = isSecret(o.broker) ? o.broker.reveal() : o.broker;
    if (typeof url !== 'string' || !BROKER.test(url)) bad('broker', `a URL such as 'redis://127.0.0.1:6379/0' (a Secret when it holds a password)`, url);
  }
  const queues = o.queues ?? [];
  if (!Array.isArray(queues) || queues.some((q) => typeof q !== 'string' || !QUEUE.test(q))) bad('queues', 'an array of queue names (letters, digits, _ . @ : -)', queues);
  const logLevel = o.logLevel ?? 'info';
  if (!LEVELS.includes(logLevel)) bad('logLevel', `one of ${LEVELS.map((l) => `'${l}'`).join(', ')}`, logLevel);
  if (o.nodeName !== undefined && (typeof o.nodeName !== 'string' || !NODE.test(o.nodeName))) bad('nodeName', `a node name such as 'worker@%h' (letters, digits, _ . @ % -)`, o.nodeName);
  if (o.gossip !== undefined && typeof o.gossip !== 'boolean') bad('gossip', 'true or false', o.gossip);
  const extraArgs = o.extraArgs ?? [];
  if (!Array.isArray(extraArgs) || extraArgs.some((a) => typeof a !== 'string' || /[\r\n]/.test(a))) bad('extraArgs', 'an array of single-line strings', extraArgs);
  return {
    app: o.app,
    unit: unit('unit', o.unit),
    broker: o.broker,
    concurrency: int('concurrency', o.concurrency, 1),
    queues,
    logLevel,
    nodeName: o.nodeName,
    stopTimeout: int('stopTimeout', o.stopTimeout, 1) ?? 300,
    beat: beatOf(o.beat),
    gossip: o.gossip ?? false,
    extraArgs,
  };
}

/** The -A argument: the `app` option, else the package of site.app.wsgi. */
export function celeryAppOf(o: ResolvedCeleryOptions, app: AppModel): string {
  if (o.app) return o.app;
  const pkg = app.wsgi?.split(/[.:]/)[0];
  if (!pkg || !PY_PATH.test(pkg)) throw errors.config(`celery: set the app option (celery -A <app>): site.app.wsgi gives no package to default to`, { key: 'app' });
  return pkg;
}

export const workerUnitOf = (o: ResolvedCeleryOptions, app: Pick<AppModel, 'name'>): string => o.unit ?? `celery-${app.name}`;
export const beatUnitOf = (o: ResolvedCeleryOptions, app: Pick<AppModel, 'name'>): string => o.beat?.unit ?? `celery-beat-${app.name}`;
export const scheduleOf = (o: ResolvedCeleryOptions, app: Pick<AppModel, 'shared'>): string => o.beat?.schedule ?? `${app.shared}/celerybeat/schedule`;
