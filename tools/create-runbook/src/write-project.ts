/** Writes the plan's files: never over an existing one without --force; .gitignore only grows. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProjectPlan } from './plan.js';
import { renderConfig } from './render-config.js';
import { gitignoreAddition, renderInventory, renderMakefile, renderPackageJson, renderSecrets } from './render-files.js';

export interface FileToWrite {
  path: string;
  content: string;
  /** 0600 for secrets */
  mode?: number;
  /** what the report says besides the path (never a secret's value) */
  note?: string;
}

export function projectFiles(p: ProjectPlan, extra: Record<string, string> = {}): FileToWrite[] {
  const envs = Object.keys(p.hosts);
  const generated = p.secretKeys.generated.length ? `${p.secretKeys.generated.join(', ')} generated` : '';
  const toFill = p.secretKeys.empty.length ? `fill in ${p.secretKeys.empty.join(', ')}` : '';
  return [
    { path: 'runbook.config.ts', content: renderConfig(p) },
    ...envs.map((env) => ({ path: `inventories/${env}.yml`, content: renderInventory(p, env), note: p.hosts[env].join(', ') })),
    ...envs.map((env) => ({ path: `secrets/${env}.env`, content: renderSecrets(p, env), mode: 0o600, note: [generated, toFill].filter(Boolean).join('; ') })),
    { path: 'Makefile', content: renderMakefile(p) },
    { path: 'package.json', content: renderPackageJson(p) },
    ...Object.entries(extra).map(([path, content]) => ({ path, content })),
  ];
}

export interface WriteReport {
  written: string[];
  /** existing files left alone */
  kept: string[];
  /** lines for the user */
  lines: string[];
}

export function writeProject(dir: string, files: FileToWrite[], force: boolean): WriteReport {
  const report: WriteReport = { written: [], kept: [], lines: [] };
  for (const f of files) {
    const target = join(dir, f.path);
    const existed = existsSync(target);
    if (existed && !force) {
      report.kept.push(f.path);
      report.lines.push(`  kept     ${f.path} (it exists; --force replaces it)`);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: f.mode ?? 0o644 });
    report.written.push(f.path);
    report.lines.push(`  ${existed ? 'replaced' : 'wrote   '} ${f.path}${f.note ? ` (${f.note})` : ''}`);
  }
  const gitignore = join(dir, '.gitignore');
  const before = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const addition = gitignoreAddition(before);
  if (addition) {
    writeFileSync(gitignore, before + addition);
    report.lines.push(`  ${before ? 'appended to' : 'wrote   '} .gitignore (${addition.trim().split('\n').slice(1).join(', ')})`);
  }
  return report;
}
