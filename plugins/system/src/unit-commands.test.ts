import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE, tempDir } from '../test/helpers.js';
import { restartUnitsScript } from './unit-commands.js';

/** Runs `script` with a fake systemctl first on PATH that logs each call's argv and fails as told. */
function withFakeSystemctl(script: string, failOn: string) {
  const { dir, cleanup } = tempDir();
  const log = join(dir, 'calls');
  // an argument ends in \x1f, a call in \x1e: a unit name may hold newlines
  writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\nprintf '%s\\037' "$@" >> "$LOG"; printf '\\036' >> "$LOG"\ncase "$1" in ${failOn}) exit 1;; esac\n`);
  chmodSync(join(dir, 'systemctl'), 0o755);
  let code = 0;
  try {
    execFileSync('sh', ['-c', script], { env: { PATH: `${dir}:${process.env.PATH}`, LOG: log }, stdio: 'ignore' });
  } catch (e) {
    code = (e as { status: number }).status;
  }
  const calls = readFileSync(log, 'utf8').split('\x1e').slice(0, -1).map((c) => c.split('\x1f').slice(0, -1));
  cleanup();
  return { code, calls };
}

test('real shell: reset-failed, then restart, every unit as one word; a failed reset is no failure', (t) => {
  const units = ['gunicorn.service', HOSTILE];
  const r = withFakeSystemctl(restartUnitsScript(units), 'reset-failed');
  t.is(r.code, 0);
  t.deepEqual(r.calls, [['reset-failed', '--', ...units], ['restart', '--', ...units]]);
});

test('real shell: a restart that fails fails the script', (t) => {
  t.is(withFakeSystemctl(restartUnitsScript(['a.service']), 'restart').code, 1);
});

test('a shell word as the unit (quoted: false) is left for the shell to expand', (t) => {
  const r = withFakeSystemctl(`u='b c.service'\n${restartUnitsScript(['"$u"'], false)}`, 'none');
  t.deepEqual(r.calls, [['reset-failed', '--', 'b c.service'], ['restart', '--', 'b c.service']]);
});
