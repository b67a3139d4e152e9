/** Finds a playbook by name in the playbook dir, or by path, and checks its shape. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { errors } from './errors.js';
import { defaultExport, loadModule } from './load-module.js';
import type { Playbook } from './playbook.js';
import { builtinPlaybooks } from './builtin-playbooks.js';
import { userCodeError } from './user-code-error.js';

const extensions = ['.ts', '.mts', '.js', '.mjs'];

export function listPlaybooks(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => extensions.includes(extname(f)) && !f.endsWith('.d.ts') && !f.includes('.test.'))
    .map((f) => basename(f, extname(f)))
    .sort();
}

export async function loadPlaybook(nameOrPath: string, dir: string, cwd: string): Promise<{ playbook: Playbook; file: string }> {
  const looksLikePath = nameOrPath.includes('/') || extensions.includes(extname(nameOrPath));
  const candidates = looksLikePath ? [resolve(cwd, nameOrPath)] : extensions.map((ext) => resolve(dir, nameOrPath + ext));
  const file = candidates.find((f) => existsSync(f));
  if (!file && !looksLikePath && builtinPlaybooks[nameOrPath]) return { playbook: builtinPlaybooks[nameOrPath], file: `(built-in ${nameOrPath})` };
  if (!file) {
    const known = [...new Set([...listPlaybooks(dir), ...Object.keys(builtinPlaybooks)])].sort();
    throw errors.playbook(`no playbook "${nameOrPath}"${looksLikePath ? '' : ` in ${dir}`}; playbooks: ${known.join(', ') || '(none)'}`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await loadModule(file);
  } catch (e) {
    // its top level threw (or a module it imports): exit 4 naming the line; a syntax error's message has it
    throw userCodeError(e, 'E_PLAYBOOK', 'cannot load playbook', { file }) ?? errors.playbook(`cannot load playbook: ${(e as Error).message}`, { file });
  }
  const playbook = defaultExport(mod) as Playbook;
  if (!playbook || typeof playbook !== 'object' || typeof playbook.name !== 'string' || !playbook.phases) {
    throw errors.playbook('the default export must be a playbook: definePlaybook({ name, phases })', { file });
  }
  return { playbook, file };
}
