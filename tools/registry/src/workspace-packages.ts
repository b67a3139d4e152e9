import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkspacePackage {
  name: string;
  version: string;
  /** Absolute path of the package's directory. */
  dir: string;
  private: boolean;
  /** The package.json as written. */
  manifest: Record<string, unknown>;
}

/** The repository's root: the nearest directory above this module whose package.json has `workspaces`. */
export function workspaceRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).workspaces) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json with "workspaces" above ${from}`);
  }
}

/** Every package of the root's `workspaces` (globs of the form `dir/*` or plain dirs), in name order. */
export function workspacePackages(root = workspaceRoot()): WorkspacePackage[] {
  const globs: string[] = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces;
  const dirs = globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [path.join(root, glob)];
    const parent = path.join(root, glob.slice(0, -2));
    return existsSync(parent) ? readdirSync(parent).map((d) => path.join(parent, d)) : [];
  });
  return dirs
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, version: manifest.version, dir, private: manifest.private === true, manifest };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The packages that go to a registry: every workspace package not marked `private`. */
export function publishablePackages(root = workspaceRoot()): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => !p.private);
}
