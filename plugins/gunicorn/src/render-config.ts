/** `gunicorn.conf.py`: rendered from the options; the worker count is computed on the host at start. */
import type { AppModel } from '@runbook/core';
import type { ResolvedGunicornOptions } from './gunicorn-options.js';

/** A Python string literal (JSON's escapes are valid Python escapes). */
export const pyString = (s: string): string => JSON.stringify(s);

export const UVICORN_WORKER = 'uvicorn.workers.UvicornWorker';

export function renderGunicornConfig(o: ResolvedGunicornOptions, app: Pick<AppModel, 'current'>): string {
  const workers = o.workers === undefined ? 'multiprocessing.cpu_count() * 2 + 1' : String(o.workers);
  return [
    `# Managed by Runbook (@runbook/gunicorn): \`run configure\` overwrites changes made here.`,
    `import multiprocessing`,
    ``,
    `# systemd passes the listening socket of ${o.unit}.socket; bind only matters when run by hand`,
    `bind = ${pyString(o.unixSocket ? `unix:${o.listen}` : o.listen)}`,
    `workers = ${workers}`,
    `worker_class = ${pyString(o.asgi ? UVICORN_WORKER : 'sync')}`,
    `timeout = ${o.timeout}`,
    `graceful_timeout = ${o.gracefulTimeout}`,
    `# resolved again on every reload (HUP), so new workers run the release \`current\` points to then`,
    `chdir = ${pyString(app.current)}`,
    ``,
  ].join('\n');
}
