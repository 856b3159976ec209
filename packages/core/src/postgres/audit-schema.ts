import { z } from '../lazy-zod.js';
import type { PostgresMigration } from './migrate.js';

/** A chain's name in the `chain` column (sink and verifier): the key-id alphabet, at most 64 characters. */
export const chainNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/)
  .optional();

/** Migrations of the `audit` component. Never edit a released step: add the next version. */
export const AUDIT_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'audit records and chain heads',
    sql: (s) => `
      CREATE TABLE ${s}.audit_records (
        chain text NOT NULL,
        seq bigint NOT NULL,
        line text NOT NULL,
        idempotency_key text,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (chain, seq)
      );
      CREATE UNIQUE INDEX audit_records_idempotency ON ${s}.audit_records (chain, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE TABLE ${s}.audit_heads (
        chain text PRIMARY KEY,
        anchor jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];
