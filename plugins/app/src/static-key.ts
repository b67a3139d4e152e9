/**
 * The key of a release's collected static files: releases with equal keys collect the same files, so
 * a new release hard-links an earlier one's (`cp -al`) instead of running collectstatic.
 * What collectstatic reads: the static source files (app `static/` dirs, STATICFILES_DIRS of any
 * name), the settings that decide STATIC_* / INSTALLED_APPS / finders / storages, the installed
 * packages (django.contrib.admin's own files) and the env. So the key hashes, from the upload's tree:
 * every file that is not Python, every Python file under a `static` directory, and every settings
 * module and `apps.py` (a changed view or model does not re-collect; a changed template does, to be
 * safe); the collectstatic command, the static dir and the whole rendered .env. On the host the
 * release's venv (its key hashes the requirements and the Python version) and, with system site
 * packages, the dpkg status file's mtime (a Debian package changed) complete it. A git source's tree is
 * only on the host: its fetch hashes the same files (`git ls-tree -r` through STATIC_INPUTS_AWK) into
 * `.rb-static-inputs`, and the control machine's part hashes the rest.
 */
import { createHash } from 'node:crypto';

/** Whether a path of the tree can change what collectstatic collects. */
export function staticInput(path: string): boolean {
  const parts = path.split('/');
  const base = parts.at(-1)!;
  if (!base.endsWith('.py')) return true;
  return parts.slice(0, -1).some((p) => p === 'static' || p === 'settings') || /^settings.*\.py$/.test(base) || base === 'apps.py';
}

/**
 * staticInput() in awk, for `git ls-tree -r` lines on the host (mode, type, object, a tab, the path).
 * @example git ls-tree -r HEAD | awk -F '\t' "$STATIC_INPUTS_AWK"
 */
export const STATIC_INPUTS_AWK = [
  '{ n = split($2, c, "/"); b = c[n]',
  '  if (b !~ /[.]py$/ || b ~ /^settings.*[.]py$/ || b == "apps.py") { print; next }',
  '  for (i = 1; i < n; i++) if (c[i] == "static" || c[i] == "settings") { print; next } }',
].join('\n');

/** The control machine's part of the key, from `git ls-tree -r` of the upload's tree (a git source: ''). */
export function staticKey(listing: string, o: { collectstatic: string[]; staticDir: string; env: string }): string {
  const files = listing.split('\n').filter((l) => l.includes('\t') && staticInput(l.slice(l.indexOf('\t') + 1)));
  const inputs = { files, collectstatic: o.collectstatic, staticDir: o.staticDir, env: createHash('sha256').update(o.env).digest('hex') };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}
