// `@thgov/core/postgres`: what several replicas share through PostgreSQL (needs the optional peer `pg`).
export { AUDIT_MIGRATIONS } from './postgres/audit-schema.js';
export { PostgresAuditSink, type PostgresAuditSinkOptions } from './postgres/audit-sink.js';
export { type VerifyPostgresAuditLogOptions, verifyPostgresAuditLog } from './postgres/audit-verify.js';
export {
  connectionResolver,
  loadPg,
  type PgClientLike,
  type PgPoolLike,
  type PgQueryResult,
  type PostgresConnectionOptions,
  pickConnection,
  postgresConnectionShape,
  quoteIdent,
  type ResolvedConnection,
} from './postgres/driver.js';
export {
  assertMigrated,
  type MigrationStatus,
  migrationStatus,
  type PostgresMigration,
  runMigrations,
} from './postgres/migrate.js';
export { type TransactionOptions, withTransaction } from './postgres/transaction.js';
export { isTransientPostgresError, postgresError, sqlState } from './postgres/transient.js';
