/**
 * A request loop through nginx on each host while a deploy runs: `GET /` (the page renders from the
 * database, so gunicorn, Django and the release's code all answer), a new connection per request, one at
 * a time per host with `intervalMs` between them. A request fails when it is not a 200 (a 502 while
 * gunicorn is down, a refused connection) or takes over 30 s (nginx's own proxy timeout is 60 s); one that
 * waits for a restarting gunicorn (socket activation queues it) is slow, not failed: `slowestMs` shows it.
 */
import http from 'node:http';

export interface ProbeResult { total: number; failed: number; slowestMs: number; firstFailure?: string }

function get(address: string): Promise<string | undefined> {
  return new Promise((res) => {
    const req = http.get({ host: address, path: '/', agent: false, timeout: 30_000 }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode === 200 ? undefined : `HTTP ${r.statusCode}`));
      r.on('error', (e) => res(e.message));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => res(e.message));
  });
}

/** Starts a loop per address; `stop()` ends them after their request in flight and sums them up. */
export function startProbe(addresses: string[], intervalMs: number): { stop(): Promise<ProbeResult> } {
  let running = true;
  const result: ProbeResult = { total: 0, failed: 0, slowestMs: 0 };
  const loops = addresses.map(async (a) => {
    while (running) {
      const t0 = Date.now();
      const err = await get(a);
      result.slowestMs = Math.max(result.slowestMs, Date.now() - t0);
      result.total++;
      if (err) { result.failed++; result.firstFailure ??= `${a}: ${err}`; }
      if (running) await new Promise((r) => setTimeout(r, intervalMs));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}
