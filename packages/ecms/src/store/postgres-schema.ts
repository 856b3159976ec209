import type { PostgresMigration } from '@thgov/core/postgres';

/** Format characters (Cf) of the Basic Multilingual Plane, as a PostgreSQL regular expression class. */
const FORMAT_CHARACTERS = String.raw`[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]`;
/** What JavaScript's `\s` matches (bar U+FEFF, a format character removed before). */
const SPACES = String.raw`[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+`;
/** An escape-string literal (E'...'): the same text whatever `standard_conforming_strings` says. */
const literal = (text: string) => `E'${text.replace(/\\/g, '\\\\')}'`;

/**
 * `bookNumberKey(letter_id)` in SQL, for the letters journalled before the key existed (new letters get theirs
 * from the code): format characters removed, NFC, white space runs as one space, trimmed, Thai digits as ASCII.
 * A database not in UTF-8 (which `normalize()` and the \u escapes need) gets spaces, tabs and line breaks only.
 * Part of migration 3: never change it (a later change is a later migration).
 */
function bookKeySql(column: string): string {
  const utf8 = `btrim(regexp_replace(normalize(regexp_replace(${column}, ${literal(FORMAT_CHARACTERS)}, '', 'g'), NFC),
          ${literal(SPACES)}, ' ', 'g'), ' ')`;
  const other = `btrim(regexp_replace(${column}, '[[:space:]]+', ' ', 'g'), ' ')`;
  return `translate(CASE WHEN current_setting('server_encoding') = 'UTF8' THEN ${utf8} ELSE ${other} END,
        '๐๑๒๓๔๕๖๗๘๙', '0123456789')`;
}

/** Which letters hold their natural key: every outbound letter, an inbound one until rejected or invalid. */
const HOLDS_KEY = `(direction = 'outbound' OR state NOT IN ('rejected', 'invalid'))`;

/**
 * Migrations of the `ecms` component (the journal). Never edit a released step: add the next version.
 * `ord` orders letters the way SQLite's rowid does; the lease columns and the token sequence carry the
 * claims of several workers (see PostgresLetterStore).
 */
export const ECMS_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'journal, evidence, transitions, processed items, quarantine, registration counters, leases',
    // length-ok: a released migration is one DDL text, never edited (the next change is the next version)
    sql: (s) => `
      CREATE TABLE ${s}.ecms_letters (
        journal_id text PRIMARY KEY,
        ord bigserial NOT NULL,
        direction text NOT NULL,
        state text NOT NULL,
        letter_id text NOT NULL,
        correspondence_date text NOT NULL,
        subject text NOT NULL,
        sender_department_id text NOT NULL,
        receiver_department_id text NOT NULL,
        process_id text,
        accept_id text,
        accept_date text,
        register text,
        registration_year integer,
        registration_number integer,
        document bytea,
        send_count integer NOT NULL DEFAULT 0,
        dispatched boolean NOT NULL DEFAULT false,
        signature_status text,
        signature_evidence jsonb,
        last_error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        lease_owner text,
        lease_token bigint,
        lease_expires_at timestamptz
      );
      CREATE INDEX ecms_letters_key ON ${s}.ecms_letters (direction, letter_id, correspondence_date);
      CREATE INDEX ecms_letters_state ON ${s}.ecms_letters (direction, state, ord);
      CREATE INDEX ecms_letters_process ON ${s}.ecms_letters (process_id);
      CREATE UNIQUE INDEX ecms_letters_registration ON ${s}.ecms_letters (register, registration_year, registration_number)
        WHERE registration_number IS NOT NULL;
      CREATE TABLE ${s}.ecms_evidence (
        id bigserial PRIMARY KEY,
        journal_id text,
        process_id text,
        operation text NOT NULL,
        direction text NOT NULL,
        xml bytea NOT NULL,
        sha256 text NOT NULL,
        at timestamptz NOT NULL
      );
      CREATE INDEX ecms_evidence_journal ON ${s}.ecms_evidence (journal_id);
      CREATE TABLE ${s}.ecms_transitions (
        id bigserial PRIMARY KEY,
        journal_id text NOT NULL,
        from_state text NOT NULL,
        to_state text NOT NULL,
        at timestamptz NOT NULL,
        note text
      );
      CREATE INDEX ecms_transitions_journal ON ${s}.ecms_transitions (journal_id);
      CREATE TABLE ${s}.ecms_processed (
        process_id text PRIMARY KEY,
        journal_id text,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${s}.ecms_quarantine (
        id text PRIMARY KEY,
        ord bigserial NOT NULL,
        process_id text NOT NULL,
        operation text NOT NULL,
        element text,
        xml bytea NOT NULL,
        sha256 text NOT NULL,
        at timestamptz NOT NULL,
        error jsonb NOT NULL,
        signature jsonb,
        letter_key jsonb,
        notified boolean NOT NULL DEFAULT false,
        settled boolean NOT NULL DEFAULT false,
        note text
      );
      CREATE INDEX ecms_quarantine_settled ON ${s}.ecms_quarantine (settled, at, ord);
      CREATE TABLE ${s}.ecms_registration_counters (
        register text NOT NULL,
        year integer NOT NULL,
        last_number integer NOT NULL,
        PRIMARY KEY (register, year)
      );
      CREATE SEQUENCE ${s}.ecms_lease_tokens;`,
  },
  {
    version: 2,
    name: 'duplicate submits (idempotency key, outbound natural key, each unique); recover failures',
    // NULL for letters journalled before this step and for inbound letters, so the indexes never refuse
    // an existing journal.
    sql: (s) => `
      ALTER TABLE ${s}.ecms_letters ADD COLUMN idempotency_key text, ADD COLUMN outbound_key text,
        ADD COLUMN recover_failures integer NOT NULL DEFAULT 0;
      CREATE UNIQUE INDEX ecms_letters_idempotency_key ON ${s}.ecms_letters (idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE UNIQUE INDEX ecms_letters_outbound_key ON ${s}.ecms_letters (outbound_key)
        WHERE outbound_key IS NOT NULL;`,
  },
  {
    version: 3,
    name: 'natural key of every letter (normalised book number), unique among the letters that hold it',
    // Letters that already collide under the key (delivered twice before this step, a book number sent with
    // ASCII and with Thai digits) stay; the oldest holds the key (`key_held`), so the index never refuses the
    // journal and every later copy is refused. `book_key` of every letter serves the look-ups.
    sql: (s) => `
      ALTER TABLE ${s}.ecms_letters ADD COLUMN book_key text, ADD COLUMN key_held boolean NOT NULL DEFAULT true;
      UPDATE ${s}.ecms_letters SET book_key = ${bookKeySql('letter_id')};
      ALTER TABLE ${s}.ecms_letters ALTER COLUMN book_key SET NOT NULL;
      UPDATE ${s}.ecms_letters l SET key_held = false
        FROM (SELECT journal_id, row_number() OVER (
                PARTITION BY direction, sender_department_id, receiver_department_id, correspondence_date, book_key
                ORDER BY created_at, ord) AS n
              FROM ${s}.ecms_letters WHERE ${HOLDS_KEY}) d
        WHERE l.journal_id = d.journal_id AND d.n > 1;
      CREATE UNIQUE INDEX ecms_letters_natural_key ON ${s}.ecms_letters
        (direction, sender_department_id, receiver_department_id, correspondence_date, book_key)
        WHERE key_held AND ${HOLDS_KEY};
      CREATE INDEX ecms_letters_book_key ON ${s}.ecms_letters (direction, book_key, correspondence_date);`,
  },
  {
    version: 4,
    name: 'ProcessIDs of any length: processed items keyed by SHA-256, letters found through a hash index',
    // A btree entry holds at most about 2.7 KB: a longer (incompressible) ProcessID from the node failed the
    // letter's insert and the item's quarantine alike, and the item stayed at the head of the queue. The key is
    // the SHA-256 of the ProcessID's UTF-8 (`processKey` in the code); a hash index has no size limit and
    // serves the equality look-up of findByProcessId. Every row is kept; `process_id` stays for people.
    sql: (s) => `
      DROP INDEX ${s}.ecms_letters_process;
      CREATE INDEX ecms_letters_process ON ${s}.ecms_letters USING hash (process_id);
      ALTER TABLE ${s}.ecms_processed ADD COLUMN process_key bytea;
      UPDATE ${s}.ecms_processed SET process_key = sha256(convert_to(process_id, 'UTF8'));
      ALTER TABLE ${s}.ecms_processed ALTER COLUMN process_key SET NOT NULL,
        DROP CONSTRAINT ecms_processed_pkey, ADD PRIMARY KEY (process_key);`,
  },
];
