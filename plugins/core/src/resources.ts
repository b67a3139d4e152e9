/**
 * Resource keys: what a task reads and changes on a host, so that the engine can apply consecutive
 * changes in one exec when none of them can alter what a later one planned from (DESIGN §4).
 *
 * - `path:/etc/x`: that path only (its existence, type, content, mode, owner, link target);
 * - `tree:/srv/app`: the path and everything under it (removal, recursive ownership, a git checkout);
 * - anything else is an exact key: `user:deploy`, `group:www-data`, `systemd`.
 */

const isPathKey = (k: string) => k.startsWith('path:') || k.startsWith('tree:');
const pathOf = (k: string) => k.slice(5).replace(/\/+$/, '') || '/';
const within = (child: string, parent: string) => parent === '/' || child === parent || child.startsWith(`${parent}/`);

/** Whether two keys can affect each other. */
export function keysOverlap(a: string, b: string): boolean {
  if (!isPathKey(a) || !isPathKey(b)) return a === b;
  const pa = pathOf(a);
  const pb = pathOf(b);
  if (pa === pb) return true;
  if (a.startsWith('tree:') && within(pb, pa)) return true;
  return b.startsWith('tree:') && within(pa, pb);
}

/** Whether any key of `a` overlaps any key of `b`. */
export const overlaps = (a: readonly string[], b: readonly string[]): boolean => a.some((x) => b.some((y) => keysOverlap(x, y)));

/** `path:` keys of every ancestor of an absolute path (a `mkdir -p` may create them). */
export function ancestorKeys(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `path:/${parts.slice(0, i + 1).join('/')}`);
}
