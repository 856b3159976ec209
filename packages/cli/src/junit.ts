import { showAsEscapes } from './terminal-text.js';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * What a reader of the report is shown as `\uXXXX` instead of having it obeyed, hidden or lost (CI shows the
 * report in a web page, where a bidi override reorders a name and a dropped character makes two names one): C0
 * controls but tab and line feed, DEL, C1 controls, line and paragraph separators, format characters (bidi
 * overrides and isolates, zero-width characters) and what XML 1.0 cannot carry even escaped (lone surrogates,
 * U+FFFE, U+FFFF).
 */
const SHOWN_IN_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\ud800-\udfff\ufffe\uffff]/gu;
/** In an attribute tab and line feed too: an XML parser folds them into spaces there (XML 1.0 §3.3.3). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const SHOWN_IN_ATTRIBUTES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\ud800-\udfff\ufffe\uffff]/gu;

/**
 * Text for an XML attribute (`attribute`) or element: escaped as XML, with every character of `SHOWN_IN_TEXT`
 * (`SHOWN_IN_ATTRIBUTES`) shown as `\uXXXX`, as the terminal output shows them.
 */
export function xmlEscape(s: string, attribute = true): string {
  const shown = showAsEscapes(s, attribute ? SHOWN_IN_ATTRIBUTES : SHOWN_IN_TEXT);
  return shown.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch);
}

/** One test case: a doctor check, a verified file. */
export interface JunitCase {
  classname: string;
  name: string;
  timeInMs: number;
  /** `failure`: it ran and failed; `error`: it could not reach a verdict. */
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
  /** For failure/error/skipped: one line. */
  message?: string;
  /** For failure/error: the code CI shows as the type. */
  type?: string;
  /** The body: the explanation of a failure, or what a passing case found. */
  text?: string;
}

/** One `<testsuite>`: a doctor platform, or the verified files. */
export interface JunitSuite {
  name: string;
  cases: JunitCase[];
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(c: JunitCase): string[] {
  const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${seconds(c.timeInMs)}">`;
  const message = xmlEscape(c.message ?? '');
  const body = xmlEscape(c.text ?? '', false);
  const type = xmlEscape(c.type ?? '');
  const inner =
    c.outcome === 'failure' || c.outcome === 'error'
      ? `      <${c.outcome} message="${message}" type="${type}">${body}</${c.outcome}>`
      : c.outcome === 'skipped'
        ? `      <skipped message="${message}"/>`
        : `      <system-out>${body}</system-out>`;
  return [open, inner, '    </testcase>'];
}

/**
 * JUnit XML in the Surefire/Ant dialect that GitLab, Jenkins, Azure DevOps and GitHub reporters read: one
 * `<testsuite>` per suite. Every text is escaped; controls, bidi and invisible characters, and those XML cannot
 * carry, are shown as `\uXXXX` (see `SHOWN_IN_TEXT`): never obeyed, hidden or dropped.
 *
 * @example
 * ```ts
 * renderJunit('thgov transcript verify', [{ name: 'files', cases }], new Date().toISOString(), 1200);
 * ```
 */
export function renderJunit(name: string, suites: JunitSuite[], timestamp: string, timeInMs: number): string {
  const count = (cases: JunitCase[], o: JunitCase['outcome']) => cases.filter((c) => c.outcome === o).length;
  const all = suites.flatMap((s) => s.cases);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="${xmlEscape(name)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" skipped="${count(all, 'skipped')}" time="${seconds(timeInMs)}" timestamp="${xmlEscape(timestamp)}">`,
  );
  for (const s of suites) {
    const time = s.cases.reduce((a, c) => a + c.timeInMs, 0);
    out.push(
      `  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${count(s.cases, 'failure')}" errors="${count(s.cases, 'error')}" skipped="${count(s.cases, 'skipped')}" time="${seconds(time)}" timestamp="${xmlEscape(timestamp)}">`,
    );
    for (const c of s.cases) out.push(...testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
