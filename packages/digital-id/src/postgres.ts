// `@thgov/digital-id/postgres`: login state shared by several app replicas (needs the optional peer `pg`).
export {
  DIGITAL_ID_MIGRATIONS,
  PostgresStateStore,
  type PostgresStateStoreOptions,
} from './postgres-state-store.js';
