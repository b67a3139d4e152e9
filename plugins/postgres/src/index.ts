export { postgres, POSTGRES_UNIT } from './postgres.js';
export { resolvePostgresOptions, resolveTarget, type PostgresOptions, type PostgresTarget, type ResolvedPostgresOptions } from './postgres-options.js';
export { checkRole, parseRole, role, roleType, type RoleFact, type RoleOptions } from './role.js';
export { checkDatabase, database, databaseType, parseDatabase, type DatabaseFact, type DatabaseOptions } from './database.js';
export { scramVerifier, verifyScram, SCRAM_ITERATIONS } from './scram.js';
export { ident, literal, psqlQuery, psqlScript } from './psql.js';
