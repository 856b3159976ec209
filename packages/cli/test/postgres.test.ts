// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests write the ${VAR} syntax of the configuration
// The CLI and the configuration with PostgreSQL stores: migrate commands, audit verify --postgres, the
// config sections with ${VAR} passwords, and doctor's reachable / migrated / writable checks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactText } from '@thgov/core';
import { PostgresAuditSink } from '@thgov/core/postgres';
import { newLetterRecord } from '@thgov/ecms';
import { ECMS_MIGRATIONS } from '@thgov/ecms/postgres';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecmsStore } from '../src/config/client-options.js';
import { parseConfig } from '../src/config/load.js';
import { runDoctor } from '../src/doctor/doctor.js';
import { thgov as runThgov } from './doctor-helpers.js';

const postgres = requirePostgres({ why: 'migrate, audit verify and doctor against PostgreSQL' });

postgres.describe('CLI on a real PostgreSQL', () => {
  const CHAIN_KEY = { id: '2026-01', secret: 'cli-pg-test-chain-key-0123456789abcdef012345' };
  const SUBJECT_SECRET = 'cli-pg-subject-secret-0123456789';
  const dir = mkdtempSync(join(tmpdir(), 'thgov-cli-pg-'));
  const keyFile = join(dir, 'chain.keys');
  writeFileSync(keyFile, `${CHAIN_KEY.id}:${CHAIN_KEY.secret}\n`);
  let url = '';
  let admin: pg.Client;
  beforeAll(async () => {
    url = (await testDatabase('cli')).url;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const thgov = (args: string[]) => runThgov(args, { THGOV_AUDIT_CHAIN_KEYS: '' }, 90_000);

  // Each test starts the CLI as a process (tsx) a few times: slow on a busy 2-core machine.
  const SPAWNING = { timeout: 90_000 };

  describe('thgov <component> migrate', SPAWNING, () => {
    it('reports unmigrated tables, creates them once, and then reports them current', async () => {
      const before = await thgov(['ecms', 'migrate', '--postgres', url, '--schema', 'cli_ecms', '--status']);
      expect(before.code, before.stderr).toBe(1);
      expect(before.stdout).toContain('at version 0');
      const run = await thgov(['ecms', 'migrate', '--postgres', url, '--schema', 'cli_ecms', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const versions = ECMS_MIGRATIONS.map((m) => m.version);
      expect(JSON.parse(run.stdout)).toMatchObject({
        component: 'ecms',
        current: versions.at(-1),
        latest: versions.at(-1),
        applied: versions,
        ok: true,
      });
      const again = await thgov(['ecms', 'migrate', '--postgres', url, '--schema', 'cli_ecms', '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({ applied: [], ok: true });
      const { rows } = await admin.query("SELECT to_regclass('cli_ecms.ecms_letters') IS NOT NULL AS ok");
      expect(rows[0].ok).toBe(true);
    });

    it('refuses a missing URL and a bad schema name, never echoing the URL', async () => {
      expect((await thgov(['audit', 'migrate'])).code).toBe(2);
      const bad = await thgov(['digital-id', 'migrate', '--postgres', url, '--schema', 'Bad-Name']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/schema/);
      expect(bad.stderr).not.toContain(new URL(url).password);
    });
  });

  describe('thgov audit verify --postgres', SPAWNING, () => {
    beforeAll(async () => {
      expect((await thgov(['audit', 'migrate', '--postgres', url])).code).toBe(0);
      const sink = new PostgresAuditSink({
        connectionString: url,
        chain: 'gdx',
        hmacSecret: SUBJECT_SECRET,
        chainKey: CHAIN_KEY,
      });
      for (let i = 0; i < 5; i++)
        await sink.append({ who: 'system', service: 'gdx', status: 'ok', caseRef: `C-${i}` });
      await sink.close();
    }, 90_000);

    it('passes an intact chain and fails one with its newest rows cut', async () => {
      const ok = await thgov(['audit', 'verify', '--postgres', url, '--key-file', keyFile, 'gdx']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toContain('postgres:thgov/gdx: 5 records, keyed, anchored at seq 5');
      expect(ok.stdout).not.toContain(new URL(url).password);
      await admin.query("DELETE FROM thgov.audit_records WHERE chain = 'gdx' AND seq > 3");
      const cut = await thgov(['audit', 'verify', '--postgres', url, '--key-file', keyFile, '--json', 'gdx']);
      expect(cut.code).toBe(1);
      const [report] = JSON.parse(cut.stdout);
      expect(report.ok).toBe(false);
      expect(report.errors.map((e: { kind: string }) => e.kind)).toContain('deleted');
    });

    it('a chain holding no record fails (exit 1) as a missing log file does: a misspelt CHAIN, or one wiped whole', async () => {
      const typo = await thgov(['audit', 'verify', '--postgres', url, '--key-file', keyFile, 'gxd']);
      expect(typo.code, typo.stdout + typo.stderr).toBe(1);
      expect(typo.stdout).toContain('✗ postgres:thgov/gxd: ERR_AUDIT_CHAIN');
      expect(typo.stdout).toContain('holds no record');
      // Someone with write access to the database deletes the chain's rows and its head row.
      const sink = new PostgresAuditSink({
        connectionString: url,
        chain: 'wiped',
        hmacSecret: SUBJECT_SECRET,
        chainKey: CHAIN_KEY,
      });
      await sink.append({ who: 'system', service: 'gdx', status: 'ok', caseRef: 'C-wiped' });
      await sink.close();
      const before = await thgov(['audit', 'verify', '--postgres', url, '--key-file', keyFile, 'wiped']);
      expect(before.code, before.stdout).toBe(0);
      await admin.query("DELETE FROM thgov.audit_records WHERE chain = 'wiped'");
      await admin.query("DELETE FROM thgov.audit_heads WHERE chain = 'wiped'");
      const wiped = await thgov([
        'audit',
        'verify',
        '--postgres',
        url,
        '--key-file',
        keyFile,
        '--json',
        'wiped',
      ]);
      expect(wiped.code).toBe(1);
      const [report] = JSON.parse(wiped.stdout);
      expect(report).toMatchObject({ file: 'postgres:thgov/wiped', ok: false });
      expect(report.error).toMatch(/^ERR_AUDIT_CHAIN: .*holds no record/);
    });
  });

  describe('thgov.config.json with PostgreSQL stores', SPAWNING, () => {
    const configFor = (dbUrl: string, extra: Record<string, unknown> = {}) => ({
      audit: {
        postgres: { url: dbUrl, chain: 'cfg' },
        hmacSecret: SUBJECT_SECRET,
        chainKey: { id: CHAIN_KEY.id, secret: CHAIN_KEY.secret },
      },
      ...extra,
    });

    it('takes the password from ${THGOV_PG_PASSWORD} and treats it as a secret', () => {
      const u = new URL(url);
      const secret = u.password;
      u.password = '${THGOV_PG_PASSWORD}';
      const config = parseConfig(configFor(decodeURIComponent(u.toString())), {
        env: { THGOV_PG_PASSWORD: secret },
      });
      expect(config.audit?.postgres?.url).toBe(url);
      expect(redactText(`connecting with ${secret}`)).not.toContain(secret);
    });

    it('refuses an audit section with both a file and a database, and a non-postgres URL', () => {
      expect(() =>
        parseConfig({ audit: { ...configFor(url).audit, path: 'audit.jsonl' } }, { env: {} }),
      ).toThrow(/exactly one of path or postgres/);
      expect(() => parseConfig(configFor('https://db.example/x'), { env: {} })).toThrow(/postgres:\/\//);
    });

    it('ecms.store.postgres.preparedStatements: a boolean, passed to the journal, which then works as before', async () => {
      const ecms = (preparedStatements: unknown) => ({
        ecms: {
          nodeUrl: 'http://127.0.0.1:1/ecms-ws01/service2',
          organizationId: '0031500001',
          store: { postgres: { url, schema: 'cfg_prepared', preparedStatements } },
        },
      });
      expect(() => parseConfig(ecms('yes'), { env: {} })).toThrow(/ecms\.store/);
      const store = await ecmsStore(parseConfig(ecms(true), { env: {} }));
      try {
        await (store as unknown as { migrate(): Promise<unknown> }).migrate();
        const r = newLetterRecord({
          direction: 'inbound',
          state: 'stored',
          letterId: 'สพร 0105/1',
          correspondenceDate: '2026-11-27',
          subject: 'ทดสอบ',
          senderDepartmentId: '0031500001',
          receiverDepartmentId: '1500300001',
          document: Buffer.from('<doc/>'),
        });
        await store.insert(r);
        expect(Buffer.from((await store.get(r.journalId))!.document!).toString()).toBe('<doc/>');
      } finally {
        await store.close();
      }
    });

    it('doctor: reachable, then migrated fails until migrate, writable; an unreachable server fails first', async () => {
      const db = await testDatabase('cli_doctor');
      const before = await runDoctor(parseConfig(configFor(db.url), { env: {} }), { only: ['audit'] });
      const status = (r: typeof before) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
      expect(status(before)).toEqual({
        'audit.store.reachable': 'pass',
        'audit.store.migrated': 'fail',
        'audit.store.writable': 'skip',
      });
      expect(before.checks[1]?.fix).toContain('thgov audit migrate --postgres URL');
      expect((await thgov(['audit', 'migrate', '--postgres', db.url])).code).toBe(0);
      const after = await runDoctor(parseConfig(configFor(db.url), { env: {} }), { only: ['audit'] });
      expect(status(after)).toEqual({
        'audit.store.reachable': 'pass',
        'audit.store.migrated': 'pass',
        'audit.store.writable': 'pass',
      });
      expect(after.ok).toBe(true);
      const dead = new URL(db.url);
      dead.port = '1';
      const down = await runDoctor(parseConfig(configFor(dead.toString()), { env: {} }), { only: ['audit'] });
      expect(status(down)['audit.store.reachable']).toBe('fail');
      expect(down.checks[0]?.fix).toContain('audit.postgres.url');
      expect(JSON.stringify(down)).not.toContain(new URL(db.url).password);
    });
  });
});
