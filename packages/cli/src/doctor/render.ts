import { redactText } from '@thgov/core';
import { type JunitCase, type JunitSuite, renderJunit as junit } from '../junit.js';
import { escapeControls } from '../terminal-text.js';
import type { CheckResult, DoctorReport, Platform } from './report.js';

const MARK: Record<CheckResult['status'], string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };
/** The heading printed before a platform's checks. */
export const PLATFORM_TITLE: Record<Platform, string> = {
  exchange: 'Data exchange (GDX)',
  digitalId: 'Digital ID',
  ecms: 'e-CMS',
  catalog: 'Data catalog',
  transcript: 'Transcripts',
  audit: 'Audit log',
};

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n} ms`;
}

/**
 * One check as text: the mark, title and time, what it found, and under a warning or failure the cause and fix.
 * Messages carry server-sent text (error bodies, `error_description`, issuers, certificate names): every field
 * is escaped, line breaks included, so nothing a server sends can draw or move a line of the report.
 */
export function renderCheck(c: CheckResult): string {
  const f = (s: string) => escapeControls(s);
  const lines = [`  ${MARK[c.status]} ${f(c.title)} (${ms(c.durationInMs)})`, `      ${f(c.message)}`];
  if (c.status === 'fail' || c.status === 'warn') {
    if (c.cause) lines.push(`      cause: ${f(c.cause)}`);
    if (c.fix) lines.push(`      fix:   ${f(c.fix)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The closing line (and a note when nothing was checked). */
export function renderSummary(report: DoctorReport): string {
  const s = report.summary;
  const nothing =
    s.total === 0
      ? 'Nothing to check: the configuration has no platform section (or --only excluded them all).\n'
      : '';
  const config = (report.configWarnings ?? [])
    .map((w) => `! configuration file: ${escapeControls(w)}\n`)
    .join('');
  return `${nothing}${config}${report.ok ? 'OK' : 'FAILED'}: ${s.passed} passed, ${s.warned} warnings, ${s.failed} failed, ${s.skipped} skipped in ${ms(report.durationInMs)}\n`;
}

/** The terminal report: one line per check with its time, an explanation under each warning and failure. */
export function renderHuman(report: DoctorReport): string {
  let out = '';
  for (const p of report.platforms) {
    out += `${PLATFORM_TITLE[p]}\n`;
    for (const c of report.checks.filter((x) => x.platform === p)) out += renderCheck(c);
    out += '\n';
  }
  return out + renderSummary(report);
}

/** Options of `renderJunit` (`renderDoctorJunit`). */
export interface DoctorJunitOptions {
  /**
   * The run was `--strict`: a warning failed it, so each warning is a `<failure>` CI lists, not a passing test
   * case marked WARNING (the job must not go red under an all-green test report). Default false.
   */
  strict?: boolean;
}

/**
 * A check with its texts redacted one by one (server-sent text may carry a secret or a citizen ID). Not the XML
 * as a whole: there `<testsuite name="Transcripts">` reads as a person's name and every suite became "[NAME]".
 */
function redacted(c: CheckResult): CheckResult {
  const r = (s: string | undefined) => (s === undefined ? undefined : redactText(s));
  return {
    ...c,
    title: redactText(c.title),
    message: redactText(c.message),
    cause: r(c.cause),
    fix: r(c.fix),
  };
}

function junitCase(check: CheckResult, strict: boolean) {
  const c = redacted(check);
  const explanation = [c.message, c.cause ? `cause: ${c.cause}` : '', c.fix ? `fix: ${c.fix}` : '']
    .filter(Boolean)
    .join('\n');
  const failed = c.status === 'fail' || (strict && c.status === 'warn');
  const outcome = failed ? 'failure' : c.status === 'skip' ? 'skipped' : 'pass';
  const warning = c.status === 'warn' ? 'WARNING: ' : '';
  return {
    classname: `thgov.doctor.${c.platform}`,
    name: `${c.id}: ${c.title}`,
    timeInMs: c.durationInMs,
    outcome,
    message: `${failed ? warning : ''}${c.message}`,
    type: c.errorCode ?? (c.status === 'warn' ? 'CHECK_WARNING' : 'CHECK_FAILED'),
    text: failed || c.status === 'warn' ? `${warning}${explanation}` : c.message,
  } as const;
}

/**
 * JUnit XML (the Surefire/Ant dialect CI systems read): one testsuite per platform, one testcase per check.
 * With `{ strict: true }` (a `--strict` run) warnings are failures, as they are for the exit status. Secrets
 * and personal data in the checks' texts are redacted.
 */
export function renderJunit(report: DoctorReport, options: DoctorJunitOptions = {}): string {
  const strict = options.strict === true;
  const suites: JunitSuite[] = report.platforms.map((p) => ({
    name: PLATFORM_TITLE[p],
    cases: report.checks.filter((c) => c.platform === p).map((c) => junitCase(c, strict)),
  }));
  const config = report.configWarnings ?? [];
  if (config.length)
    suites.unshift({ name: 'Configuration file', cases: config.map((w) => configCase(w, strict)) });
  return junit('thgov doctor', suites, report.startedAt, report.durationInMs);
}

/** A warning about the configuration file as a test case: a failure in a `--strict` run, as a check's warning. */
function configCase(warning: string, strict: boolean): JunitCase {
  const c = junitCase(
    {
      id: 'config.file',
      platform: 'exchange',
      title: 'configuration file permissions',
      status: 'warn',
      durationInMs: 0,
      message: warning,
    },
    strict,
  );
  // The file serves every platform: its own class, not the placeholder platform's.
  return { ...c, classname: 'thgov.doctor.config' };
}
