export { postgres, POSTGRES_UNIT } from './postgres.js';
export { resolvePostgresOptions, resolveTarget, type PostgresOptions, type PostgresTarget, type ResolvedPostgresOptions } from './postgres-options.js';
export { appSite, hostCidr, postgresWiring, urlHost, type PostgresWiring } from './postgres-fleet.js';
export { checkRole, parseRole, role, roleType, type RoleFact, type RoleOptions } from './role.js';
export { checkDatabase, database, databaseType, parseDatabase, type DatabaseFact, type DatabaseOptions } from './database.js';
export {
  access, accessScript, accessType, checkAccess, parseAccess, renderHbaBlock, renderListenConf, type AccessClient, type AccessFact, type AccessOptions,
} from './access.js';
export { scramVerifier, verifyScram, SCRAM_ITERATIONS } from './scram.js';
export { ident, literal, psqlQuery, psqlScript } from './psql.js';
