// Attack class: text that stops redaction for good. The citizen-ID scan looks for the start of a digit run with a
// Unicode regular expression (`\p{Nd}`, `\p{No}`) and, when the character there starts no ID, tried again one
// UTF-16 unit further. For a number character outside the BMP (Aegean numbers, counting rods: `\p{No}` but no
// digit) "one unit further" is the middle of its surrogate pair, where a Unicode expression matches the same
// character again: redactText never returned. Any text of 13 units or more holding one (a hostile server's error
// page, an uploaded file read by the catalog's privacy guard) hung the process in synchronous code.
// Each case runs in its own process with a time limit, so a hang fails the test instead of blocking the run.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** `findCitizenIds` and `redactText` of `text` in a fresh process: their results, or undefined on a hang. */
function scan(text: string): { spans: [number, number][]; redacted: string } | undefined {
  const script = `
    const { findCitizenIds } = await import('./src/redact/citizen-id.ts');
    const { redactText } = await import('./src/redact.ts');
    const text = JSON.parse(process.env.TEXT);
    console.log(JSON.stringify({ spans: findCitizenIds(text), redacted: redactText(text) }));
  `;
  return runScriptInChild(script, { cwd: packageDir, env: { TEXT: JSON.stringify(text) } }) as
    | { spans: [number, number][]; redacted: string }
    | undefined;
}

const ID = '1101700230708';

describe('number characters outside the BMP', () => {
  it.each([
    ['an Aegean number (U+10124) after 13 characters', `error page: 8\u0013\n~|${'\u{10124}'}`],
    ['a counting-rod numeral (U+1D360) in a long line', `${'x'.repeat(40)}\u{1D360}${'y'.repeat(40)}`],
    ['several, beside ASCII digits', `ref 12345678901 \u{10107}\u{10108} 99 \u{1D372}`],
  ])('%s: redaction ends', (_name, text) => {
    const r = scan(text);
    expect(r, 'redaction did not end within 30 s').toBeDefined();
    expect(r?.spans).toEqual([]);
  });

  it('an ID beside them is still found, and one in mathematical digits (U+1D7CE…) too', () => {
    const r = scan(`\u{10124} id ${ID} \u{10124}`);
    expect(r?.spans).toHaveLength(1);
    expect(r?.redacted).not.toContain(ID);
    const math = [...ID].map((d) => String.fromCodePoint(0x1d7ce + Number(d))).join('');
    const m = scan(`เลขประจำตัว ${math} \u{10124}`);
    expect(m?.spans).toHaveLength(1);
    expect(m?.redacted).not.toContain(math);
  });
});
