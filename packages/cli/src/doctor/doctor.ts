import type { ThgovConfig } from '../config/schema.js';
import { checkCatalog } from './catalog-checks.js';
import { checkDigitalId } from './digital-id-checks.js';
import { checkEcms } from './ecms-checks.js';
import { checkExchange } from './exchange-checks.js';
import { configuredPlatforms } from './platforms.js';
import { checkPostgresStore } from './postgres-checks.js';
import {
  type CheckResult,
  DOCTOR_REPORT_VERSION,
  type DoctorReport,
  type Platform,
  summarize,
} from './report.js';
import { CheckRunner } from './runner.js';
import { doctorSettings } from './settings.js';
import { checkTranscript } from './transcript-checks.js';

/** Options of `runDoctor`. */
export interface DoctorOptions {
  /** Platforms to check (default: every configured one). */
  only?: Platform[];
  /** Warnings fail the run too. */
  strict?: boolean;
  /** Warnings about the configuration file (loadConfig's `onWarning`): reported, and failing a strict run. */
  configWarnings?: string[];
  /** Called when a check starts (not for checks skipped because a prerequisite failed). */
  onCheckStart?: (check: { id: string; platform: Platform; title: string }) => void;
  /** Called with each result as soon as it is known, in report order. */
  onCheck?: (result: CheckResult) => void;
}

/** The audit log is no remote platform: doctor checks its shared PostgreSQL store, never writes a record. */
async function checkAudit(r: CheckRunner, config: ThgovConfig): Promise<void> {
  const db = config.audit?.postgres;
  if (!db) return;
  await checkPostgresStore(r, {
    platform: 'audit',
    prefix: 'audit.store',
    label: 'Audit chain',
    key: 'audit.postgres',
    db,
    component: 'audit',
    migrations: async () => (await import('@thgov/core/postgres')).AUDIT_MIGRATIONS,
    table: 'audit_records',
  });
}

const CHECKS: Record<Platform, typeof checkExchange> = {
  exchange: checkExchange,
  digitalId: checkDigitalId,
  ecms: checkEcms,
  catalog: checkCatalog,
  transcript: checkTranscript,
  audit: checkAudit,
};

/** Runs every check of the selected platforms and returns the report (for code: `runDoctor` of commands.ts). */
export async function runDoctor(config: ThgovConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  const startedAt = new Date();
  const started = performance.now();
  const settings = doctorSettings(config);
  const platforms = configuredPlatforms(config).filter((p) => !options.only || options.only.includes(p));
  const runner = new CheckRunner(settings.checkTimeoutInMs, {
    ...(options.onCheckStart
      ? { onStart: ({ id, platform, title }) => options.onCheckStart?.({ id, platform, title }) }
      : {}),
    ...(options.onCheck ? { onResult: (r) => options.onCheck?.(r) } : {}),
  });
  for (const p of platforms) {
    try {
      await CHECKS[p](runner, config, settings);
    } catch (err) {
      // Outside any check: a file the section names cannot be read, or the SDK client refused the options.
      await runner.run(
        { id: `${p}.config`, platform: p, title: `${p}: configuration accepted by the client` },
        () => Promise.reject(err),
      );
    }
  }
  const summary = summarize(runner.results);
  const configWarnings = options.configWarnings ?? [];
  const warned = summary.warned > 0 || configWarnings.length > 0;
  return {
    version: DOCTOR_REPORT_VERSION,
    tool: 'thgov doctor',
    startedAt: startedAt.toISOString(),
    durationInMs: Math.round(performance.now() - started),
    ok: summary.failed === 0 && summary.total > 0 && !(options.strict && warned),
    platforms,
    summary,
    checks: runner.results,
    ...(configWarnings.length ? { configWarnings } : {}),
  };
}
