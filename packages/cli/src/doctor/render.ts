import type { CheckResult, DoctorReport, Platform } from './report.js';

const MARK: Record<CheckResult['status'], string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };
const PLATFORM_TITLE: Record<Platform, string> = {
  exchange: 'Data exchange (GDX)',
  digitalId: 'Digital ID',
  ecms: 'e-CMS',
  transcript: 'Transcripts',
  audit: 'Audit log',
};

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n} ms`;
}

/** The terminal report: one line per check with its time, an explanation under each warning and failure. */
export function renderHuman(report: DoctorReport): string {
  const lines: string[] = [];
  for (const p of report.platforms) {
    lines.push(PLATFORM_TITLE[p]);
    for (const c of report.checks.filter((x) => x.platform === p)) {
      lines.push(`  ${MARK[c.status]} ${c.title} (${ms(c.durationInMs)})`);
      lines.push(`      ${c.message}`);
      if (c.status === 'fail' || c.status === 'warn') {
        if (c.cause) lines.push(`      cause: ${c.cause}`);
        if (c.fix) lines.push(`      fix:   ${c.fix}`);
      }
    }
    lines.push('');
  }
  const s = report.summary;
  if (s.total === 0)
    lines.push('Nothing to check: the configuration has no platform section (or --only excluded them all).');
  lines.push(
    `${report.ok ? 'OK' : 'FAILED'}: ${s.passed} passed, ${s.warned} warnings, ${s.failed} failed, ${s.skipped} skipped in ${ms(report.durationInMs)}`,
  );
  return `${lines.join('\n')}\n`;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** XML 1.0 forbids most control characters, lone surrogates and U+FFFE/U+FFFF even when escaped. */
function xmlChar(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d;
  return !(c >= 0xd800 && c <= 0xdfff) && c !== 0xfffe && c !== 0xffff;
}

export function xmlEscape(s: string): string {
  let out = '';
  for (const ch of s) if (xmlChar(ch)) out += XML_ESCAPES[ch] ?? ch;
  return out;
}

/** JUnit XML (the Surefire/Ant dialect CI systems read): one testsuite per platform, one testcase per check. */
export function renderJunit(report: DoctorReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const s = report.summary;
  out.push(
    `<testsuites name="thgov doctor" tests="${s.total}" failures="${s.failed}" errors="0" skipped="${s.skipped}" time="${(report.durationInMs / 1000).toFixed(3)}" timestamp="${report.startedAt}">`,
  );
  for (const p of report.platforms) {
    const checks = report.checks.filter((c) => c.platform === p);
    const time = checks.reduce((a, c) => a + c.durationInMs, 0) / 1000;
    out.push(
      `  <testsuite name="${xmlEscape(PLATFORM_TITLE[p])}" tests="${checks.length}" failures="${checks.filter((c) => c.status === 'fail').length}" errors="0" skipped="${checks.filter((c) => c.status === 'skip').length}" time="${time.toFixed(3)}" timestamp="${report.startedAt}">`,
    );
    for (const c of checks) {
      const open = `    <testcase classname="thgov.doctor.${xmlEscape(p)}" name="${xmlEscape(`${c.id}: ${c.title}`)}" time="${(c.durationInMs / 1000).toFixed(3)}"`;
      const explanation = [c.message, c.cause ? `cause: ${c.cause}` : '', c.fix ? `fix: ${c.fix}` : '']
        .filter(Boolean)
        .join('\n');
      if (c.status === 'fail') {
        out.push(`${open}>`);
        out.push(
          `      <failure message="${xmlEscape(c.message)}" type="${xmlEscape(c.errorCode ?? 'CHECK_FAILED')}">${xmlEscape(explanation)}</failure>`,
        );
        out.push('    </testcase>');
      } else if (c.status === 'skip') {
        out.push(`${open}>`);
        out.push(`      <skipped message="${xmlEscape(c.message)}"/>`);
        out.push('    </testcase>');
      } else {
        out.push(`${open}>`);
        out.push(
          `      <system-out>${xmlEscape(c.status === 'warn' ? `WARNING: ${explanation}` : c.message)}</system-out>`,
        );
        out.push('    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
