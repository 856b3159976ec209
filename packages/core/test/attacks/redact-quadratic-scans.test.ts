// Attack class: text whose redaction costs the square of its length. Two scans read from each candidate
// position to the end of a run: the citizen-ID scan's `\+u` re-read a whole run of backslashes from each of
// them, and the `name=value` pass read the value afresh from each `=` (`a=a=a=…` has one value running to the
// end). Redaction runs on every log line and every error body a server sends: half a megabyte of either hung a
// client for minutes in synchronous code. Each case runs in its own process with a time limit, so a hang fails
// the test instead of blocking the run; the limit is generous (a linear scan of these takes milliseconds).
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** `redactText` of `text` built from `expression` in a fresh process: its result, or undefined on a hang. */
function redactIn(expression: string): string | undefined {
  const script = `
    const { redactText } = await import('./src/redact.ts');
    const text = ${expression};
    console.log(JSON.stringify(redactText(text)));
  `;
  return runScriptInChild(script, { cwd: packageDir }) as string | undefined;
}

const ID = '1101700230708';

describe('redaction of long runs ends', () => {
  it.each([
    ['half a million backslashes', `'\\\\'.repeat(500_000)`],
    ['backslashes before a non-escape', `'\\\\'.repeat(500_000) + 'u00zz'`],
    ['a=a=a=… (one value to the end)', `'a='.repeat(250_000)`],
    ['token=token=… (a sensitive name, then the same)', `'token='.repeat(100_000)`],
  ])('%s', (_name, expression) => {
    expect(redactIn(expression), 'redaction did not end within 30 s').toBeDefined();
  });
});

describe('what these scans find is unchanged', () => {
  it('an ID in JSON escapes behind one to four backslashes', () => {
    const escaped = (slashes: number) => [...ID].map((d) => `${'\\'.repeat(slashes)}u003${d}`).join('');
    for (const slashes of [1, 2, 3, 4]) {
      const text = `id: ${escaped(slashes)} end`;
      const out = redactIn(JSON.stringify(text));
      expect(out, `${slashes} backslashes`).toContain('[CITIZEN-ID]');
      expect(out).not.toContain('u0030');
    }
  });

  it('a sensitive value after a run of other pairs, and one already masked', () => {
    expect(redactIn(`'a=b=c&token=abc&x=1'`)).toBe('a=b=c&token=[REDACTED]&x=1');
    expect(redactIn(`'a=token=abc'`)).toBe('a=token=[REDACTED]');
    expect(redactIn(`'x token=a=b=c&y'`)).toBe('x token=[REDACTED]&y');
    expect(redactIn(`'token=[REDACTED] password=p=q'`)).toBe('token=[REDACTED] password=[REDACTED]');
  });
});
