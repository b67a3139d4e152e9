/** A Django project: manage.py → settings module → WSGI/ASGI application, env keys, static files. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { appName, debianPackages, readText, requirementNames, type DetectedApp } from './detected-app.js';
import { environDefault, envKeys, stringAssignment } from './python-source.js';

/** `shop.settings` → `shop/settings.py` (or the package `shop/settings/__init__.py`). */
const moduleFile = (dir: string, module: string): string | undefined => {
  const base = module.replace(/\./g, '/');
  return [`${base}.py`, `${base}/__init__.py`].find((f) => existsSync(join(dir, f)));
};

/** `shop.wsgi.application` (Django's dotted form) → `shop.wsgi:application` (gunicorn's). */
const callable = (dotted: string | undefined): string | undefined => {
  const i = dotted?.lastIndexOf('.') ?? -1;
  return dotted && i > 0 ? `${dotted.slice(0, i)}:${dotted.slice(i + 1)}` : undefined;
};

export function detectDjango(dir: string): DetectedApp | undefined {
  const manage = readText(dir, 'manage.py');
  if (manage === undefined) return undefined;
  const notes: string[] = [];
  const settingsModule = environDefault(manage, 'DJANGO_SETTINGS_MODULE');
  const settingsFile = settingsModule && moduleFile(dir, settingsModule);
  if (!settingsModule) notes.push('manage.py sets no DJANGO_SETTINGS_MODULE: pass --wsgi');
  else if (!settingsFile) notes.push(`settings module ${settingsModule} not found: pass --wsgi`);
  // a settings package: read every module of it (base.py, prod.py …)
  const settingsSources = !settingsFile ? [] : settingsFile.endsWith('__init__.py')
    ? readdirSync(join(dir, settingsFile, '..')).filter((f) => f.endsWith('.py')).map((f) => readText(dir, join(settingsFile, '..', f))!)
    : [readText(dir, settingsFile)!];
  const settings = settingsSources.join('\n');
  const wsgi = callable(stringAssignment(settings, 'WSGI_APPLICATION'));
  const asgi = callable(stringAssignment(settings, 'ASGI_APPLICATION'));
  const requirements = readText(dir, 'requirements.txt');
  const names = requirements === undefined ? [] : requirementNames(requirements);
  if (!names.includes('django')) names.unshift('django');
  const urls = settingsFile ? urlsSource(dir, settings) : '';
  const staticfiles = settings.includes('django.contrib.staticfiles');
  const staticRootFromEnv = envKeys(settings).includes('STATIC_ROOT');
  if (staticfiles && !staticRootFromEnv) notes.push('collectstatic is off: the settings do not read STATIC_ROOT from the environment (the deploy sets it per release)');
  return {
    framework: 'django',
    name: appName(settingsModule?.split('.')[0] ?? 'app'),
    wsgi,
    asgi: wsgi ? undefined : asgi,
    envKeys: envKeys(settings),
    requirements: requirements === undefined ? undefined : 'requirements.txt',
    requirementNames: names,
    packages: debianPackages(names),
    healthPath: /['"]health\/?['"]/.test(urls) ? '/health/' : '/',
    collectstatic: staticfiles && staticRootFromEnv,
    notes,
    extraFiles: {},
  };
}

/** The ROOT_URLCONF module's source, to see whether the project has a health URL. */
function urlsSource(dir: string, settings: string): string {
  const module = stringAssignment(settings, 'ROOT_URLCONF');
  const file = module && moduleFile(dir, module);
  return (file && readText(dir, file)) || '';
}
