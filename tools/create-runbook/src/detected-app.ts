/** What detection finds about an app, and the helpers the Django and Flask readers share. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Framework = 'django' | 'flask';

export interface DetectedApp {
  framework: Framework;
  /** a suggested app name: the Django project package, else the directory's name */
  name: string;
  /** `module:callable`; absent when only an ASGI app was found */
  wsgi?: string;
  asgi?: string;
  /** environment variables the code reads (settings, app module), in order of first use */
  envKeys: string[];
  /** requirements file, relative to the app directory, when there is one */
  requirements?: string;
  /** project names listed in it (lower case, no versions) */
  requirementNames: string[];
  /** Debian packages the app needs on the hosts */
  packages: string[];
  /** a URL the app answers cheaply, for the deploy's health check */
  healthPath: string;
  /** false: the deploy must not run collectstatic (no staticfiles app, or STATIC_ROOT not from the environment) */
  collectstatic: boolean;
  /** a migration command other than the default (Django's manage.py migrate) */
  migrate?: string[];
  /** what the reader should know: a factory that needed a wsgi.py, settings that were not found … */
  notes: string[];
  /** files to write for the app to be served (a wsgi.py for a Flask factory) */
  extraFiles: Record<string, string>;
}

export const readText = (dir: string, file: string): string | undefined =>
  existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : undefined;

/** A name that is also a valid user name (app's `name`): lower case, letters, digits, _ and -. */
export const appName = (raw: string): string =>
  raw.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z_]+/, '').slice(0, 32).replace(/-+$/, '') || 'app';

/** The project names of a requirements file: `Django>=3.2,<5  # web` → `django`; options and URLs skipped. */
export function requirementNames(text: string): string[] {
  return text.split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l && !l.startsWith('-') && !l.includes('://'))
    .map((l) => /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(l)?.[1].toLowerCase().replace(/_/g, '-'))
    .filter((n): n is string => !!n);
}

/** Debian packages whose names differ from `python3-<project>`. */
const DEBIAN_NAMES: Record<string, string | null> = {
  'psycopg2-binary': 'python3-psycopg2', psycopg2: 'python3-psycopg2', pillow: 'python3-pil', pyyaml: 'python3-yaml',
  'python-dateutil': 'python3-dateutil', beautifulsoup4: 'python3-bs4', 'django-environ': 'python3-django-environ',
  'python-dotenv': 'python3-dotenv', 'flask-sqlalchemy': 'python3-flask-sqlalchemy', sqlalchemy: 'python3-sqlalchemy',
  // served by @runbook/gunicorn from Debian's gunicorn package
  gunicorn: null, uvicorn: null,
};

/** `python3-venv` and the Debian package of each requirement (the venv sees them: system site packages). */
export function debianPackages(names: string[]): string[] {
  const out = ['python3-venv'];
  for (const n of names) {
    const deb = n in DEBIAN_NAMES ? DEBIAN_NAMES[n] : `python3-${n}`;
    if (deb && !out.includes(deb)) out.push(deb);
  }
  return out;
}

