import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.js';

const projectWith = (rc: unknown) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-config-'));
  writeFileSync(join(dir, '.runbookrc.json'), JSON.stringify(rc));
  return dir;
};

test('secrets: an env has a secrets file unless its overlay (or the base) says it has none', async (t) => {
  const cwd = projectWith({ envs: { ci: { secrets: false } } });
  t.is((await loadConfig({ cwd, env: 'ci' })).secrets, false);
  t.is((await loadConfig({ cwd, env: 'prod' })).secrets, true);
  const none = projectWith({ secrets: false, envs: { prod: { secrets: true } } });
  t.is((await loadConfig({ cwd: none, env: 'dev' })).secrets, false);
  t.is((await loadConfig({ cwd: none, env: 'prod' })).secrets, true);
});

test('secrets: anything but true or false is bad input naming the key', async (t) => {
  const cwd = projectWith({ envs: { ci: { secrets: 'no' } } });
  const e = await t.throwsAsync(loadConfig({ cwd, env: 'ci' }), { message: /expected true or false/ });
  t.like((e as unknown as { code: string; details: { key: string } }), { code: 'E_CONFIG', details: { key: 'envs.ci.secrets' } });
});
