// `@thgov/ecms/postgres`: the journal of several replicas in PostgreSQL (needs the optional peer `pg`).

export { ECMS_MIGRATIONS } from './store/postgres-schema.js';
export { PostgresLetterStore, type PostgresLetterStoreOptions } from './store/postgres-store.js';
