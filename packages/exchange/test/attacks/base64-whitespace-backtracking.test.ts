// Attack class: a document envelope whose base64 check costs the square of its size. The check was
// `/^[A-Za-z0-9+/\s]*={0,2}\s*$/`: a run of white space followed by a character base64 lacks split the run
// between the two `\s` in every way before failing. A DBD envelope whose Result held half a megabyte of spaces
// and one `!` held the client for minutes in synchronous code. The case runs in its own process with a time
// limit, so a hang fails the test instead of blocking the run.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** `openPdfEnvelope` of an envelope whose Result is built by `expression`, in a fresh process. */
function openIn(expression: string): string | undefined {
  const script = `
    const { openPdfEnvelope } = await import('./src/document.ts');
    const Result = ${expression};
    try {
      openPdfEnvelope({ FileName: 'x.pdf', Hashes: { SHA256: '00' }, Result }, { statusCode: 200, requestId: 'r' }, 'dbd.test');
      console.log(JSON.stringify('opened'));
    } catch (e) {
      console.log(JSON.stringify(e.message));
    }
  `;
  return runScriptInChild(script, { cwd: packageDir }) as string | undefined;
}

describe('base64 check of a DBD document', () => {
  it.each([
    ['half a million spaces, then a stray character', `' '.repeat(500_000) + '!'`],
    ['line breaks, then a stray character', `'\\r\\n'.repeat(250_000) + '!'`],
    ['padding, spaces, a stray character', `'QQ==' + ' '.repeat(500_000) + '!'`],
  ])('%s: refused in time', (_name, expression) => {
    const message = openIn(expression);
    expect(message, 'the check did not end within 30 s').toBeDefined();
    expect(message).toContain('not valid base64');
  });

  it('base64 with line breaks and padding, then white space, still passes the check', () => {
    expect(openIn(`'QUJD\\r\\nREVG\\r\\nRw== \\n'`)).not.toContain('not valid base64');
    expect(openIn(`'QUJD REVG Rw\\t'`)).not.toContain('not valid base64');
  });
});
