/** Which Python web app a directory holds, read from its files (nothing is run). */
import { basename } from 'node:path';
import { detectDjango } from './detect-django.js';
import { detectFlask } from './detect-flask.js';
import type { DetectedApp } from './detected-app.js';

export type { DetectedApp, Framework } from './detected-app.js';

/** Django when there is a manage.py, else Flask when an app object or factory is found; undefined otherwise. */
export function detectApp(dir: string): DetectedApp | undefined {
  return detectDjango(dir) ?? detectFlask(dir, basename(dir));
}
