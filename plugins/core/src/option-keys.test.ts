import test from 'ava';
import { RunbookError } from './errors.js';
import { checkOptionKeys, optionKeys } from './option-keys.js';
import type { PlacementOptions } from './plugin.js';

interface DemoOptions extends PlacementOptions {
  wsgi?: string;
  asgi?: string;
  healthCheck?: { path?: string; retries?: number };
}
const KEYS = optionKeys<DemoOptions>({ on: true, wsgi: true, asgi: true, healthCheck: true });

const cases: { title: string; options: unknown; path?: string; message?: string; key?: string }[] = [
  { title: 'known keys pass, `on` among them', options: { on: 'web', wsgi: 'shop.wsgi:application' } },
  { title: 'no options pass', options: {} },
  { title: 'a non-object is left to the caller', options: 'nonsense' },
  {
    title: 'swapped letters: the closest key is suggested',
    options: { wgsi: 'shop.wsgi:application' },
    message: 'demo: unknown option "wgsi"; did you mean "wsgi"? allowed: on, wsgi, asgi, healthCheck',
    key: 'wgsi',
  },
  {
    title: 'a key far from any: no suggestion, the allowed keys',
    options: { wsgi: 'x', workers: 4 },
    message: 'demo: unknown option "workers"; allowed: on, wsgi, asgi, healthCheck',
    key: 'workers',
  },
  {
    title: 'case differences count as close',
    options: { HealthCheck: {} },
    message: 'demo: unknown option "HealthCheck"; did you mean "healthCheck"? allowed: on, wsgi, asgi, healthCheck',
    key: 'HealthCheck',
  },
  {
    title: 'a nested object names the full path, in the key and the suggestion',
    options: { pth: '/healthz' },
    path: 'healthCheck',
    message: 'demo: unknown option "healthCheck.pth"; did you mean "healthCheck.path"? allowed: path, retries',
    key: 'healthCheck.pth',
  },
  {
    title: 'an undefined value under a misspelled key is still a misspelling',
    options: { asgii: undefined },
    message: 'demo: unknown option "asgii"; did you mean "asgi"? allowed: on, wsgi, asgi, healthCheck',
    key: 'asgii',
  },
];

for (const c of cases) {
  test(`checkOptionKeys: ${c.title}`, (t) => {
    const allowed = c.path ? optionKeys<{ path?: string; retries?: number }>({ path: true, retries: true }) : KEYS;
    const run = () => checkOptionKeys('demo', c.options, allowed, c.path);
    if (!c.message) return void t.notThrows(run);
    const e = t.throws(run, { instanceOf: RunbookError });
    t.is(e?.code, 'E_OPTIONS');
    t.true(e?.isBadInput, 'exit 4');
    t.is(e?.message, c.message);
    t.deepEqual(e?.details, { plugin: 'demo', key: c.key });
  });
}

test('optionKeys lists the keys in the order given, frozen', (t) => {
  t.deepEqual(KEYS, ['on', 'wsgi', 'asgi', 'healthCheck']);
  t.true(Object.isFrozen(KEYS));
});

test('optionKeys is checked against the type: typecheck fails on a missing or an extra key', (t) => {
  // @ts-expect-error healthCheck, a key of the type, is missing
  const missing = optionKeys<DemoOptions>({ on: true, wsgi: true, asgi: true });
  // @ts-expect-error wgsi is no key of the type
  const extra = optionKeys<DemoOptions>({ on: true, wsgi: true, asgi: true, healthCheck: true, wgsi: true });
  t.is(missing.length + extra.length, 8);
});
