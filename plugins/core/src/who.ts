/**
 * Who runs Runbook, as run files, release records and deploy locks name them: `user@hostname` of the
 * control machine, or `RUNBOOK_WHO` when it is set (a CI job on a shared account: `ci@gitlab-job-4711`).
 * Whitespace becomes `-`: the name is one word of the hosts' `deploy.log` lines.
 */
import { hostname, userInfo } from 'node:os';

export function controlWho(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.RUNBOOK_WHO?.trim();
  if (set) return set.replace(/\s+/g, '-').slice(0, 100);
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = env.USER ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}
