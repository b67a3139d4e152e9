/** The other files: inventories, secrets templates, Makefile, package.json, .gitignore lines. */
import { randomBytes } from 'node:crypto';
import type { ProjectPlan } from './plan.js';

const yamlKey = (s: string): string => (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s) ? s : JSON.stringify(s));

export function renderInventory(p: ProjectPlan, env: string): string {
  return `# Hosts of env ${env} (written by create-runbook). The ssh config supplies their settings (HostName, User,
# IdentityFile, ProxyJump …); only the hosts listed here are in the env. Format: the inventory README of @runbook/core.
sshConfig: ${p.sshConfig}
hosts:
${p.hosts[env].map((h) => `  ${yamlKey(h)}: {}`).join('\n')}
`;
}

/** A secret key: 50 letters and digits (no character a .env, systemd or sh would read differently). */
export const secretKey = (): string => {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(50)].map((b) => abc[b % abc.length]).join('');
};

export function renderSecrets(p: ProjectPlan, env: string, generate: () => string = secretKey): string {
  const { generated, empty, plain } = p.secretKeys;
  return [
    `# Secrets of env ${env}: the app's .env on its hosts (mode 0600), masked in all of Runbook's output.`,
    `# Git-ignored: never commit it in plain text; \`npx --no-install run vault encrypt ${env}\` seals it as secrets/${env}.env.enc.`,
    '# Values have at least 4 characters; plain values (DEBUG=0) belong in runbook.config.ts, app({ env }).',
    ...generated.map((k) => `${k}=${generate()}`),
    ...empty.map((k) => `${k}=`),
    ...(plain.length ? ['# read by the app, not secret: set them in runbook.config.ts, app({ env }), if they need a value', ...plain.map((k) => `# ${k}=`)] : []),
  ].join('\n') + '\n';
}

export function renderMakefile(p: ProjectPlan): string {
  const envs = Object.keys(p.hosts);
  return `# Runbook's commands for this project (written by create-runbook):
#   make configure ENV=${envs[0]}    make deploy ENV=${envs[0]}    make rollback ENV=${envs[0]} [TO=<release id>]
#   make check ENV=${envs[0]}        make hosts ENV=${envs[0]}      (envs: ${envs.join(' ')})
# \`npx --no-install run\`: the project's own @runbook/cli; never a registry package that happens to be named run.
RUN := npx --no-install run
ARGS ?=

.PHONY: configure deploy rollback check hosts need-env

configure deploy: need-env
	$(RUN) $@ --env $(ENV) $(ARGS)

rollback: need-env
	$(RUN) rollback --env $(ENV) $(if $(TO),--to $(TO)) $(ARGS)

check: need-env
	$(RUN) configure --env $(ENV) --check --diff $(ARGS)

hosts: need-env
	$(RUN) hosts --env $(ENV)

need-env:
	@test -n "$(ENV)" || { echo 'ENV is required: make $(MAKECMDGOALS) ENV=<env> (envs: ${envs.join(' ')})' >&2; exit 2; }
`;
}

/** The @runbook packages a project needs, pinned to create-runbook's own version. */
export const runbookPackages = (version: string): Record<string, string> =>
  Object.fromEntries(['@runbook/app', '@runbook/cli', '@runbook/core', '@runbook/gunicorn', '@runbook/nginx'].map((n) => [n, version]));

export function renderPackageJson(p: ProjectPlan): string {
  return JSON.stringify({
    name: `${p.name}-deploy`,
    private: true,
    description: `Runbook config of ${p.name}: make configure ENV=<env>, make deploy ENV=<env>`,
    devDependencies: runbookPackages(p.version),
  }, null, 2) + '\n';
}

/** Lines .gitignore must have; only the missing ones are appended. */
export const GITIGNORE_LINES = ['node_modules/', '.runbook/', 'secrets/*.env'];

/** What to append to an existing .gitignore (undefined: it has every line). */
export function gitignoreAddition(existing: string): string | undefined {
  const have = new Set(existing.split('\n').map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter((l) => !have.has(l));
  if (!missing.length) return undefined;
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  return `${sep}${existing ? '\n' : ''}# Runbook: secrets in plain text, installed packages, run logs\n${missing.join('\n')}\n`;
}
