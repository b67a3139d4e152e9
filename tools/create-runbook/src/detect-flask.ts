/** A Flask app: `app = Flask(...)` in app.py / wsgi.py (or another top-level module), or a `create_app` factory. */
import { readdirSync } from 'node:fs';
import { appName, debianPackages, readText, requirementNames, type DetectedApp } from './detected-app.js';
import { envKeys } from './python-source.js';

/** The modules looked at, first match wins: the usual names, then any other top-level module. */
const candidates = (dir: string): string[] => {
  const usual = ['wsgi.py', 'app.py', 'main.py', 'application.py'];
  const others = readdirSync(dir).filter((f) => f.endsWith('.py') && !usual.includes(f)).sort();
  const packages = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${d.name}/__init__.py`);
  return [...usual, ...others, ...packages];
};

const moduleOf = (file: string): string => file.replace(/\/__init__\.py$/, '').replace(/\.py$/, '').replace(/\//g, '.');

export function detectFlask(dir: string, dirName: string): DetectedApp | undefined {
  let wsgi: string | undefined;
  let factory: string | undefined;
  const sources: string[] = [];
  for (const file of candidates(dir)) {
    const src = readText(dir, file);
    if (src === undefined || !/\bflask\b/i.test(src)) continue;
    sources.push(src);
    const obj = /^(\w+)\s*=\s*(?:flask\.)?Flask\(/m.exec(src)?.[1];
    if (!wsgi && obj) wsgi = `${moduleOf(file)}:${obj}`;
    if (!factory && /^def create_app\(/m.test(src)) factory = moduleOf(file);
    // wsgi.py calling the factory at the top level: `app = create_app()`
    const built = /^(\w+)\s*=\s*create_app\(/m.exec(src)?.[1];
    if (!wsgi && built) wsgi = `${moduleOf(file)}:${built}`;
  }
  if (!wsgi && !factory) return undefined;
  const extraFiles: Record<string, string> = {};
  const notes: string[] = [];
  if (!wsgi && factory) {
    // gunicorn and uwsgi want a module attribute: a two-line wsgi.py calls the factory once
    extraFiles['wsgi.py'] = `"""WSGI entry point for gunicorn (written by create-runbook): the app made by ${factory}.create_app()."""\nfrom ${factory} import create_app\n\napp = create_app()\n`;
    wsgi = 'wsgi:app';
    notes.push(`wsgi.py calls ${factory}.create_app() (gunicorn serves wsgi:app)`);
  }
  const requirements = readText(dir, 'requirements.txt');
  const names = requirements === undefined ? [] : requirementNames(requirements);
  if (!names.includes('flask')) names.unshift('flask');
  const hasAlembic = readText(dir, 'alembic.ini') !== undefined;
  return {
    framework: 'flask',
    name: appName(dirName),
    wsgi,
    envKeys: [...new Set(sources.flatMap(envKeys))],
    requirements: requirements === undefined ? undefined : 'requirements.txt',
    requirementNames: names,
    packages: debianPackages(names),
    healthPath: sources.some((s) => /route\(\s*['"]\/health\/?['"]/.test(s)) ? (sources.some((s) => /['"]\/health\/['"]/.test(s)) ? '/health/' : '/health') : '/',
    collectstatic: false,
    migrate: hasAlembic ? ['python', '-m', 'alembic', 'upgrade', 'head'] : undefined,
    notes,
    extraFiles,
  };
}
