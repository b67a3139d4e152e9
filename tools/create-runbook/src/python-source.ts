/** What create-runbook reads from Python source without running it: assignments and env lookups. */

/** The source without comment lines and trailing `# …` comments (a `#` inside a string is rare in settings). */
const withoutComments = (src: string): string =>
  src.split('\n').map((l) => (/^\s*#/.test(l) ? '' : l)).join('\n');

/** The string value of a top-level `NAME = '…'` assignment, if there is one. */
export function stringAssignment(src: string, name: string): string | undefined {
  const m = new RegExp(`^${name}\\s*=\\s*(['"])([^'"\\n]+)\\1`, 'm').exec(withoutComments(src));
  return m?.[2];
}

/** The value `os.environ.setdefault('NAME', '…')` gives (manage.py, wsgi.py). */
export function environDefault(src: string, name: string): string | undefined {
  const m = new RegExp(`environ\\.setdefault\\(\\s*(['"])${name}\\1\\s*,\\s*(['"])([^'"]+)\\2`).exec(withoutComments(src));
  return m?.[3];
}

/** Keys the app sets itself or that are not the team's to fill in. */
const NOT_THE_APPS = new Set(['DJANGO_SETTINGS_MODULE', 'FLASK_APP', 'PATH', 'HOME', 'PYTHONPATH']);

/**
 * Environment variables the source reads, in order of first use: `os.environ['X']`,
 * `os.environ.get('X')`, `os.getenv('X')`, and helpers named like env (`env('X')`, `env.bool('X')`,
 * `env_list('X')`, django-environ's `environ.Env`). Upper-case names only: that is what teams use.
 */
export function envKeys(src: string): string[] {
  const code = withoutComments(src);
  const found: string[] = [];
  const patterns = [
    /environ\s*\[\s*(['"])([A-Z][A-Z0-9_]*)\1\s*\]/g,
    /\b\w*(?:env|environ|getenv)\w*(?:\.\w+)?\(\s*(['"])([A-Z][A-Z0-9_]*)\1/gi,
  ];
  const hits: { at: number; key: string }[] = [];
  for (const re of patterns) for (const m of code.matchAll(re)) hits.push({ at: m.index, key: m[2] });
  for (const { key } of hits.sort((a, b) => a.at - b.at)) if (/^[A-Z][A-Z0-9_]*$/.test(key) && !found.includes(key) && !NOT_THE_APPS.has(key)) found.push(key);
  return found;
}
