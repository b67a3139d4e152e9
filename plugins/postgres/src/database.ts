/** `postgres.database`: a database owned by this role (created UTF-8 from template0). */
import { changes, defineTask, errors, noop, type Plan, type TaskType } from '@runbook/core';
import { ident, literal, NAME, psqlQuery, psqlScript } from './psql.js';

export interface DatabaseOptions {
  /** @example 'shop' */
  name: string;
  /** role that owns it @example 'shop' */
  owner: string;
  /**
   * LC_COLLATE and LC_CTYPE of a new database (an existing one is left as it is).
   * @default 'C.UTF-8'
   * @example 'en_US.UTF-8'
   */
  locale?: string;
}

/** `undefined`: no such database; `null`: PostgreSQL is not installed yet; else the owner. */
export type DatabaseFact = string | undefined | null;

export function parseDatabase(stdout: string): DatabaseFact {
  const out = stdout.trim();
  if (out === 'noserver') return null;
  return out || undefined;
}

export function checkDatabase(owner: DatabaseFact, o: DatabaseOptions, check: boolean): Plan<string> {
  const locale = o.locale ?? 'C.UTF-8';
  const create = `SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L', ${[o.name, o.owner, 'UTF8', locale, locale].map(literal).join(', ')})`
    + ` WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(o.name)})\\gexec`;
  if (owner === null) {
    if (!check) throw errors.fact('postgres.database: psql or the postgres user is missing on the host (is the postgresql package installed?)');
    return changes([`create database ${o.name} owned by ${o.owner} (PostgreSQL not installed yet)`]);
  }
  if (owner === undefined) return changes([`create database ${o.name} owned by ${o.owner} (UTF8, ${locale})`], { state: create });
  if (owner !== o.owner) return changes([`owner of database ${o.name}: ${owner} → ${o.owner}`], { state: `ALTER DATABASE ${ident(o.name)} OWNER TO ${ident(o.owner)};` });
  return noop(`database ${o.name} owned by ${o.owner}`);
}

export const databaseType: TaskType<DatabaseOptions, { owner: DatabaseFact }, string> = {
  name: 'postgres.database',
  describe: (o) => `database ${o.name}`,
  validate(o) {
    for (const key of ['name', 'owner'] as const) {
      if (typeof o[key] !== 'string' || !NAME.test(o[key])) throw errors.options(`${key}: expected a lower-case SQL name (a-z, 0-9, _), got ${JSON.stringify(o[key])}`, { key });
    }
    if (o.locale !== undefined && (typeof o.locale !== 'string' || !/^[A-Za-z0-9_.@-]+$/.test(o.locale))) {
      throw errors.options(`locale: expected a locale name like 'C.UTF-8', got ${JSON.stringify(o.locale)}`, { key: 'locale' });
    }
  },
  facts: (o) => ({
    owner: { command: psqlQuery(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${literal(o.name)}`), parse: (out) => {
      if (out.code !== 0) throw errors.fact(`psql failed (exit ${out.code}): ${out.stderr.trim().split('\n').pop()}`);
      return parseDatabase(out.stdout);
    } },
  }),
  check: (f, o, ctx) => checkDatabase(f.owner, o, ctx.check),
  apply: (plan, o) => [{ script: psqlScript(plan.state!), display: `psql: database ${o.name} owned by ${o.owner}` }],
};

/**
 * A database owned by a role.
 * @example database({ name: 'shop', owner: 'shop' })
 */
export const database = defineTask(databaseType);
