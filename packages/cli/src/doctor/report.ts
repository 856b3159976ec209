/**
 * Version of the `thgov doctor --json` document. It changes only when a field is removed, renamed or
 * changes meaning; new optional fields may appear within a version, so readers must ignore unknown keys.
 *
 * Version 1:
 * ```
 * { version: 1, tool: "thgov doctor", startedAt: ISO-8601, durationInMs, ok: boolean,
 *   platforms: ("exchange"|"digitalId"|"ecms"|"catalog"|"transcript"|"audit")[],
 *   summary: { total, passed, warned, failed, skipped },
 *   checks: [{ id, platform, title, status: "pass"|"warn"|"fail"|"skip", durationInMs, message,
 *              cause?, fix?, errorCode?, data?: { [key]: string|number|boolean } }],
 *   configWarnings?: string[] }
 * ```
 * `configWarnings` (added within version 1) are warnings about the configuration file itself (readable by its
 * group or every local user while it holds secrets in clear, or writable by every local user); with `--strict`
 * they fail the run as a check's warning does.
 * Check ids are stable: `<platform>.dns|tcp|tls|clientCertificate|clock` for each endpoint (digital ID:
 * `digitalId.<provider>.…`), then `exchange.validate|read`, `digitalId.<provider>.discovery|issuer|jwks|
 * redirect|clientAuth`, `ecms.timeCheck|organizations|codeLists`, `catalog.status|token|schema`,
 * `transcript.trustAnchor.<i>` and `transcript.tsaTrustAnchor.<i>`; for PostgreSQL stores `ecms.store.…`,
 * `digitalId.stateStore.…` and `audit.store.…` with `reachable|migrated|writable` (platform `audit` only
 * with `audit.postgres`). Secrets never appear; citizen IDs are masked.
 */
export const DOCTOR_REPORT_VERSION = 1;

/** `pass`, `warn` (does not fail the run unless `--strict`), `fail`, or `skip` (a prerequisite did not pass). */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
/** A platform doctor checks: a section of the configuration (`audit`: only its PostgreSQL store). */
export type Platform = 'exchange' | 'digitalId' | 'ecms' | 'catalog' | 'transcript' | 'audit';
/** Every platform, in the order doctor checks them. */
export const PLATFORMS: readonly Platform[] = [
  'exchange',
  'digitalId',
  'ecms',
  'catalog',
  'transcript',
  'audit',
];

/** One check in the report (`checks[]` of the JSON document). */
export interface CheckResult {
  /** Stable identifier, e.g. `exchange.tls`, `digitalId.thaid.discovery`. */
  id: string;
  platform: Platform;
  /** Human title. */
  title: string;
  status: CheckStatus;
  durationInMs: number;
  /** What was found (also for passing checks: "3 addresses", "expires in 120 days"). */
  message: string;
  /** For warn/fail: the likely cause and what to do. */
  cause?: string;
  fix?: string;
  /** The SDK error code behind a failure, when there was one. */
  errorCode?: string;
  /** Small machine-readable facts (days until expiry, skew in ms, addresses…). */
  data?: Record<string, string | number | boolean>;
}

/** The whole report: what `--json` prints and `runDoctor` returns. */
export interface DoctorReport {
  version: typeof DOCTOR_REPORT_VERSION;
  tool: 'thgov doctor';
  startedAt: string;
  durationInMs: number;
  /** True when no check failed (warnings and skips do not fail the run; with `--strict` they do, as do configWarnings). */
  ok: boolean;
  platforms: Platform[];
  summary: { total: number; passed: number; warned: number; failed: number; skipped: number };
  checks: CheckResult[];
  /**
   * Warnings about the configuration file itself (readable by its group or every local user while it holds
   * secrets in clear, or writable by every local user), keys named, values never; absent when there is none.
   * With `--strict` they fail the run (`ok: false`).
   */
  configWarnings?: string[];
}

/** The counts of a list of results. */
export function summarize(checks: CheckResult[]): DoctorReport['summary'] {
  return {
    total: checks.length,
    passed: checks.filter((c) => c.status === 'pass').length,
    warned: checks.filter((c) => c.status === 'warn').length,
    failed: checks.filter((c) => c.status === 'fail').length,
    skipped: checks.filter((c) => c.status === 'skip').length,
  };
}
