import { renderJunit as junit } from '../junit.js';
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
  return `${nothing}${report.ok ? 'OK' : 'FAILED'}: ${s.passed} passed, ${s.warned} warnings, ${s.failed} failed, ${s.skipped} skipped in ${ms(report.durationInMs)}\n`;
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

/** JUnit XML (the Surefire/Ant dialect CI systems read): one testsuite per platform, one testcase per check. */
export function renderJunit(report: DoctorReport): string {
  const suites = report.platforms.map((p) => ({
    name: PLATFORM_TITLE[p],
    cases: report.checks
      .filter((c) => c.platform === p)
      .map((c) => {
        const explanation = [c.message, c.cause ? `cause: ${c.cause}` : '', c.fix ? `fix: ${c.fix}` : '']
          .filter(Boolean)
          .join('\n');
        const outcome = c.status === 'fail' ? 'failure' : c.status === 'skip' ? 'skipped' : 'pass';
        return {
          classname: `thgov.doctor.${p}`,
          name: `${c.id}: ${c.title}`,
          timeInMs: c.durationInMs,
          outcome,
          message: c.message,
          type: c.errorCode ?? 'CHECK_FAILED',
          text:
            c.status === 'fail' ? explanation : c.status === 'warn' ? `WARNING: ${explanation}` : c.message,
        } as const;
      }),
  }));
  return junit('thgov doctor', suites, report.startedAt, report.durationInMs);
}
