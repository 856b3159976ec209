// Attack class: an MTOM (multipart/related) answer built to make reading it quadratic. The root part is searched
// for `xop:Include` tags; a root holding many `<xop:Include ` with no `>` near them made each one search on to the
// end of the document. A hostile node (or anything in front of one) held the client in synchronous code. The
// case runs in its own process with a time limit, so a hang fails the test instead of blocking the run.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** `unpackMultipart` of a one-part MTOM answer whose root is `root` (an expression), in a fresh process. */
function unpackIn(root: string): unknown {
  return runScriptInChild(
    `
    const { unpackMultipart } = await import('./src/xml/mtom.ts');
    const root = ${root};
    const body = Buffer.from('--b\\r\\nContent-Type: application/xop+xml; charset=UTF-8\\r\\n\\r\\n' + root + '\\r\\n--b--\\r\\n', 'latin1');
    try {
      const out = unpackMultipart(body, 'multipart/related; boundary=b; type="application/xop+xml"');
      console.log(JSON.stringify({ length: out.body.length }));
    } catch (e) {
      console.log(JSON.stringify({ error: e.code ?? String(e) }));
    }
  `,
    { cwd: packageDir },
  );
}

describe('the root part of an MTOM answer is read in linear time', () => {
  it('a million unclosed xop:Include tags, one > at the end', () => {
    const out = unpackIn(`'<xop:Include '.repeat(1_000_000) + '>'`);
    expect(out, 'reading did not end within 30 s').toBeDefined();
    // None of them is a tag with a cid: href, so the root is handed on as it is.
    expect(out).toEqual({ length: '<xop:Include '.length * 1_000_000 + 1 });
  });

  it('an Include naming a part that is not there is still refused', () => {
    expect(unpackIn(`'<a><xop:Include href="cid:missing@x"/></a>'`)).toEqual({ error: 'ERR_ECMS_XML' });
  });
});
