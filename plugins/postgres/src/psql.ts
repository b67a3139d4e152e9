/** Running psql as the `postgres` superuser on the host (the tasks run as root). */
import { quote } from '@runbook/core';

/** A fact: the query's unaligned output; `noserver` when PostgreSQL is not installed yet. */
export const psqlQuery = (sql: string): string => [
  'if ! command -v psql >/dev/null 2>&1 || ! getent passwd postgres >/dev/null; then echo noserver; exit 0; fi',
  `cd / && runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 -c ${quote(sql)}`,
].join('\n');

/** A change: SQL fed to psql on stdin (a quoted here-document: nothing in it is expanded). */
export const psqlScript = (sql: string): string =>
  `cd / && runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 <<'RUNBOOK_SQL'\n${sql}\nRUNBOOK_SQL`;

/** `"name"`: an SQL identifier. */
export const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
/** `'text'`: an SQL string literal (standard_conforming_strings is on by default). */
export const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Lower-case SQL names that need no quoting anywhere (URLs, psql, pg_hba). */
export const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
