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

/** Text for an XML attribute or element: escaped, and without the characters XML cannot carry at all. */
export function xmlEscape(s: string): string {
  let out = '';
  for (const ch of s) if (xmlChar(ch)) out += XML_ESCAPES[ch] ?? ch;
  return out;
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
  const body = xmlEscape(c.text ?? '');
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
 * `<testsuite>` per suite. Every text is escaped, and characters XML cannot carry are dropped.
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
