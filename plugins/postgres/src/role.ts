/**
 * `postgres.role`: a login role with this password. The fact is the role's stored SCRAM verifier
 * (pg_authid, read as postgres); `check` verifies the password against it locally, so no password is
 * sent to the host to compare. A new or changed password is set as a SCRAM verifier made here: the
 * plain password never reaches the host, its command lines, its logs or any output.
 */
import { changes, defineTask, errors, noop, registerSecretValue, reveal, type Plan, type Secret, type TaskType } from '@runbook/core';
import { ident, literal, NAME, psqlQuery, psqlScript } from './psql.js';
import { scramVerifier, verifyScram } from './scram.js';

export interface RoleOptions {
  /** @example 'shop' */
  name: string;
  password: Secret;
}

export type RoleFact = { server: false } | { server: true; exists: false } | { server: true; exists: true; login: boolean; verifier: string };

export function parseRole(stdout: string): RoleFact {
  const out = stdout.trim();
  if (out === 'noserver') return { server: false };
  if (!out) return { server: true, exists: false };
  const i = out.indexOf('|');
  const verifier = out.slice(i + 1);
  // hash material: masked like a secret should it ever reach output
  if (verifier) registerSecretValue(verifier);
  return { server: true, exists: true, login: /^t(rue)?$/.test(out.slice(0, i)), verifier };
}

export function checkRole(f: RoleFact, o: RoleOptions, check: boolean): Plan<string> {
  const set = (verb: 'CREATE' | 'ALTER') => `${verb} ROLE ${ident(o.name)} WITH LOGIN PASSWORD ${literal(scramVerifier(reveal(o.password)))}`;
  if (!f.server) {
    if (!check) throw errors.fact(`postgres.role: psql or the postgres user is missing on the host (is the postgresql package installed?)`);
    return changes([`create role ${o.name} (login, password; PostgreSQL not installed yet)`]);
  }
  if (!f.exists) return changes([`create role ${o.name} (login, password)`], { state: guarded(o.name, set('CREATE'), set('ALTER')) });
  const list: string[] = [];
  if (!f.login) list.push(`allow role ${o.name} to log in`);
  if (!verifyScram(reveal(o.password), f.verifier)) list.push(`set the password of role ${o.name}${f.verifier.startsWith('SCRAM-SHA-256$') ? '' : ' (as SCRAM-SHA-256)'}`);
  if (!list.length) return noop(`role ${o.name} can log in, password matches its SCRAM verifier`);
  return changes(list, { state: guarded(o.name, set('CREATE'), set('ALTER')) });
}

/** Re-tested on the host: create when absent, else alter (the plan may be from facts a moment old). */
const guarded = (name: string, create: string, alter: string): string => [
  'DO $runbook$ BEGIN',
  `  IF EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(name)}) THEN ${alter};`,
  `  ELSE ${create};`,
  '  END IF;',
  'END $runbook$;',
].join('\n');

export const roleType: TaskType<RoleOptions, { role: RoleFact }, string> = {
  name: 'postgres.role',
  describe: (o) => `role ${o.name}`,
  validate(o) {
    if (typeof o.name !== 'string' || !NAME.test(o.name)) throw errors.options(`name: expected a lower-case SQL name (a-z, 0-9, _), got ${JSON.stringify(o.name)}`, { key: 'name' });
    if (!o.password || !reveal(o.password)) throw errors.options('password: expected a non-empty Secret', { key: 'password' });
  },
  facts: (o) => ({
    role: { command: psqlQuery(`SELECT rolcanlogin::text || '|' || coalesce(rolpassword, '') FROM pg_authid WHERE rolname = ${literal(o.name)}`), parse: (out) => {
      if (out.code !== 0) throw errors.fact(`psql failed (exit ${out.code}): ${out.stderr.trim().split('\n').pop()}`);
      return parseRole(out.stdout);
    } },
  }),
  check: (f, o, ctx) => checkRole(f.role, o, ctx.check),
  apply: (plan, o) => [{ script: psqlScript(plan.state!), display: `psql: create or alter role ${o.name} (login, password)` }],
};

/**
 * A login role with a password, set as a SCRAM-SHA-256 verifier.
 * @example role({ name: 'shop', password: secrets.POSTGRES_PASSWORD })
 */
export const role = defineTask(roleType);
