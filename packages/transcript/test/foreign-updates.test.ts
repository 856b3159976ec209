// A transcript that another tool extends after it was signed (PAdES-LTA): pyHanko and iText write the update in
// the file's own cross-reference style, an xref stream or a hybrid-reference section (xref table plus /XRefStm),
// and Acrobat does so on hybrid files. Under the transcript policy only security updates may follow the last
// signature; the update's own xref stream and object stream are how it is written, not appended content, so a
// document time-stamp written so leaves the transcript valid (what such an update carries is still compared object
// by object: esign's foreign-signers.test.ts keeps an xref or object stream no cross-reference reads refused).
import { requireTool } from '@thgov/testkit';
import { expect, it } from 'vitest';
import {
  type ForeignSpelling,
  foreignSign,
  opensslCms,
  opensslTimeStamp,
} from '../../esign/test/helpers/foreign-signer.js';
import { verifyTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

/** The document time-stamps here are made by `openssl ts`: part of the pdfsig tool set. */
const openssl = requireTool('pdfsig', { why: 'openssl ts makes the document time-stamps of another tool' });

const pki = await createTestPki();
const verify = (pdf: Uint8Array) => verifyTranscript(pdf, { trust: pki.root.cert });
const docTimeStamp: ForeignSpelling = { type: 'DocTimeStamp', subFilter: 'ETSI.RFC3161' };
const stamp = opensslTimeStamp(pki.tsa, [pki.ca.cert]);

openssl.describe('a document time-stamp added by another tool after the transcript was signed', () => {
  for (const [what, spelling] of [
    ['a classic xref table', {}],
    ['an xref stream', { xrefStream: [1, 3, 1] }],
    ['a hybrid-reference section', { hybrid: { listStream: true } }],
    [
      'a hybrid-reference section whose /XRefStm stream does not list itself',
      { hybrid: { listStream: false } },
    ],
  ] as [string, ForeignSpelling][]) {
    it(`in ${what}: the transcript stays valid`, async () => {
      const pdf = foreignSign(await issueGood(pki), stamp, { ...docTimeStamp, ...spelling });
      const r = await verify(pdf);
      const failing = r.signatures.flatMap((s) => s.checks.filter((c) => c.status !== 'PASSED'));
      expect(r.indication, JSON.stringify(failing)).toBe('TOTAL_PASSED');
      expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    });
  }

  it('a second approval signature written as an xref stream: both signatures pass (as with our own seal)', async () => {
    const seal = opensslCms(pki.signer, [pki.ca.cert]);
    const r = await verify(foreignSign(await issueGood(pki), seal, { xrefStream: [1, 3, 1] }));
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
  });
});
