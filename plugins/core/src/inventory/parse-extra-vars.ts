import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { errors } from '../errors.js';
import { mergeVars, type Vars } from './merge-vars.js';

const isObject = (v: unknown): v is Vars => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `-e` arguments, later ones winning: `key=value`, `'{"json": 1}'` (an object) or `@file.yml` (YAML or
 * JSON, an object). A value is JSON when it parses as a number, boolean, array or object, else it stays
 * a string (so `-e tag=null` is the string "null"). A dotted key sets a nested var: `-e app.branch=main`
 * overrides only `branch` inside `app`, since vars merge deeply.
 * @example parseExtraVars(['workers=4', 'debug=true', 'branch=main']) // { workers: 4, debug: true, branch: 'main' }
 */
export function parseExtraVars(args: string[]): Vars {
  return mergeVars(...args.map(parseOne));
}

function parseOne(arg: string): Vars {
  if (arg.startsWith('@')) return fromFile(arg.slice(1));
  if (arg.trimStart().startsWith('{')) {
    const value = tryJson(arg);
    if (!isObject(value)) throw errors.usage(`-e ${arg}: not a JSON object`);
    return value;
  }
  const eq = arg.indexOf('=');
  const key = arg.slice(0, eq).trim();
  if (eq < 0 || key === '' || key.split('.').some((k) => k === '')) {
    throw errors.usage(`-e "${arg}": expected key=value, '{"json": "object"}' or @file.yml`);
  }
  return nest(key.split('.'), toValue(arg.slice(eq + 1)));
}

function toValue(text: string): unknown {
  const json = tryJson(text);
  return typeof json === 'number' || typeof json === 'boolean' || (typeof json === 'object' && json !== null) ? json : text;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const nest = (keys: string[], value: unknown): Vars =>
  keys.reduceRight<unknown>((inner, key) => Object.defineProperty({}, key, { value: inner, enumerable: true, writable: true, configurable: true }), value) as Vars;

function fromFile(file: string): Vars {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw errors.usage(`-e @${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObject(value)) throw errors.usage(`-e @${file}: expected a mapping of names to values`);
  return value;
}
