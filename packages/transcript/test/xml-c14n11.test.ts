/**
 * Transcript XML signed with Canonical XML 1.1 (http://www.w3.org/2006/12/xml-c14n11, #WithComments), as Java's
 * XMLDSig (Santuario), EU DSS and xmlsec1 can sign it: the JDK-signed fixtures (test/fixtures/c14n11) must verify,
 * and must not once a covered byte, or an xml: attribute of an omitted ancestor that C14N 1.1 brings onto the
 * signed element, is changed. Each fixture was FAILED before C14N 1.1 was accepted.
 */
import { cpuMsOfAsync } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/index.js';
import { checkXml, type XmlCheckOptions } from '../src/xml/check-xml.js';
import { C14N11_FIXTURES as F, readC14n11Fixture } from './fixtures/c14n11-fixtures.js';
import { issueGood, SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';
import { xmlSigned } from './helpers/xml-dsig.js';

const pki = await createTestPki();
const C14N11 = 'http://www.w3.org/2006/12/xml-c14n11';
const C14N11_COMMENTS = 'http://www.w3.org/2006/12/xml-c14n11#WithComments';
// The fixtures' signer is a throwaway certificate, not a PDF signer: the same-signer rule is not what is tested.
const whole = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, strict: true };
// A reference to "#rec" alone does not cover the whole transcript: strict mode refuses that (tested below).
const subset = { ...whole, strict: false };
const check = (xml: string, opts: XmlCheckOptions = whole) => checkXml(Buffer.from(xml, 'utf8'), opts);

/** `xml` with `from` replaced by `to`, which must occur exactly once. */
function changed(xml: string, from: string, to: string): string {
  const parts = xml.split(from);
  if (parts.length !== 2) throw new Error(`${JSON.stringify(from)} occurs ${parts.length - 1} times`);
  return parts.join(to);
}

async function expectFailed(xml: string, opts: XmlCheckOptions = whole): Promise<void> {
  const r = await check(xml, opts);
  expect(r.status, r.message).toBe('FAILED');
  expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
}

describe('whole-document C14N 1.1 (enveloped, URI="")', () => {
  it.each([F.enveloped, F.envelopedWithComments])('verifies the JDK-signed %s', async (file) => {
    const xml = readC14n11Fixture(file);
    expect(xml).toContain(file === F.enveloped ? `Algorithm="${C14N11}"` : `Algorithm="${C14N11_COMMENTS}"`);
    const r = await check(xml);
    expect(r.status, r.message).toBe('PASSED');
    expect(r.warnings).toEqual([]);
  });

  it.each([F.enveloped, F.envelopedWithComments])(
    'fails %s once content or the root xml:lang changes',
    async (file) => {
      const xml = readC14n11Fixture(file);
      await expectFailed(changed(xml, '<GPA>3.75</GPA>', '<GPA>3.95</GPA>'));
      await expectFailed(changed(xml, 'สมชาย', 'สมหญิง'));
      // xml:lang is in the signed SignedInfo bytes (imported from the root) and in the document's.
      await expectFailed(changed(xml, 'xml:lang="th"', 'xml:lang="en"'));
    },
  );

  it('leaves the comment out of URI="" with #WithComments (same-document references drop comments)', async () => {
    const xml = readC14n11Fixture(F.envelopedWithComments);
    const r = await check(changed(xml, '<!-- registrar copy -->', '<!-- another comment -->'));
    expect(r.status, r.message).toBe('PASSED');
  });
});

describe('C14N 1.1 of a document subset (URI="#rec"): xml:base fix-up, xml:lang/xml:space imported, xml:id not', () => {
  it.each([F.subsetAbsoluteBase, F.subsetRelativeBase, F.subsetTransformOnly])(
    'verifies the JDK-signed %s',
    async (file) => {
      const r = await check(readC14n11Fixture(file), subset);
      expect(r.status, r.message).toBe('PASSED');
    },
  );

  it('fails once a byte of the signed element changes', async () => {
    await expectFailed(changed(readC14n11Fixture(F.subsetAbsoluteBase), 'CS101', 'CS109'), subset);
    await expectFailed(changed(readC14n11Fixture(F.subsetRelativeBase), '>B+<', '>A<'), subset);
    await expectFailed(changed(readC14n11Fixture(F.subsetTransformOnly), '<Grade>A', '<Grade>B'), subset);
  });

  it("fails once an omitted ancestor's xml:base changes (the apex's fixed-up value was signed)", async () => {
    const abs = readC14n11Fixture(F.subsetAbsoluteBase);
    await expectFailed(changed(abs, '/2026/../archive/./terms/', '/2026/../archive/./term/'), subset);
    await expectFailed(changed(abs, 'registrar.example.ac.th', 'registrar.example.ac.tk'), subset);
    await expectFailed(changed(readC14n11Fixture(F.subsetRelativeBase), 'a/../../up/x', 'a/../up/x'), subset);
    await expectFailed(
      changed(readC14n11Fixture(F.subsetTransformOnly), 'xml:base="../c/', 'xml:base="../d/'),
      subset,
    );
  });

  it("fails once the apex's own xml:base, or an inherited xml:lang or xml:space, changes or goes", async () => {
    const abs = readC14n11Fixture(F.subsetAbsoluteBase);
    await expectFailed(changed(abs, '../grades/./term1.xml', '../grades/./term2.xml'), subset);
    await expectFailed(changed(abs, 'xml:lang="th"', 'xml:lang="en"'), subset);
    await expectFailed(changed(abs, ' xml:lang="th"', ''), subset);
    await expectFailed(changed(abs, ' xml:space="preserve"', ''), subset);
  });

  it("still verifies when an omitted ancestor's xml:id changes (C14N 1.1 does not inherit xml:id)", async () => {
    const abs = readC14n11Fixture(F.subsetAbsoluteBase);
    for (const xml of [changed(abs, 'xml:id="t1"', 'xml:id="other"'), changed(abs, ' xml:id="r1"', '')]) {
      const r = await check(xml, subset);
      expect(r.status, r.message).toBe('PASSED');
    }
  });

  it('is not taken as covering the transcript in strict mode (no enveloped reference to "")', async () => {
    const r = await check(readC14n11Fixture(F.subsetAbsoluteBase));
    expect(r.status).toBe('INDETERMINATE');
    expect(r.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
  });

  it('follows the standard where the JDK does not (two xml:base ancestors, nested xml:lang)', async () => {
    // The JDK signed <Record … xml:base="http://registrar.example.ac.th/a/b/" xml:lang="th">; C14N 1.1 §2.4 gives
    // xml:base="http://registrar.example.ac.th/a/c/" (Term's "../c/" resolved against Records') and the nearest
    // xml:lang, "en". A known interoperability gap with the JDK's subtree C14N 1.1, not a forgery.
    const r = await check(readC14n11Fixture(F.jdkNestedAncestors), subset);
    expect(r.status).toBe('FAILED');
  });
});

describe('signature wrapping with a C14N 1.1 reference', () => {
  const abs = readC14n11Fixture(F.subsetAbsoluteBase);
  const signedRecord = /<Record Id="rec"[\s\S]*?<\/Record>/.exec(abs)?.[0] as string;

  it('fails when a forged element with the same Id comes first', async () => {
    const forged = signedRecord.replace('CS101', 'CS999');
    await expectFailed(changed(abs, signedRecord, `${forged}${signedRecord}`), subset);
  });

  it('fails when the signed element is moved under other ancestors and a forged one takes its place', async () => {
    const forged = signedRecord.replace(' Id="rec"', '').replace('CS101', 'CS999');
    const moved = changed(
      abs,
      signedRecord,
      `${forged}<Wrapper xml:base="http://attacker.example/">${signedRecord}</Wrapper>`,
    );
    await expectFailed(moved, subset);
  });

  it('fails when the element is moved under an omitted ancestor with the same xml:lang but no xml:base', async () => {
    const moved = changed(abs, signedRecord, '').replace('</Records>', `</Records>${signedRecord}`);
    await expectFailed(moved, subset);
  });
});

describe('xml:base values C14N 1.1 leaves open, and hostile chains', () => {
  it('is INDETERMINATE (could not be checked), not FAILED or PASSED, for a percent-escaped xml:base', async () => {
    const abs = readC14n11Fixture(F.subsetAbsoluteBase);
    const r = await check(changed(abs, '/archive/./terms/', '/archive/./ter%6Ds/'), subset);
    expect(r.status).toBe('INDETERMINATE');
    expect(r.subIndication).toBe('FORMAT_FAILURE');
    expect(r.message).toContain('could not be checked');
  });

  it('answers in bounded time for hundreds of xml:base ancestors (thousands: see @thgov/pki)', async () => {
    // Past the default maxDepth (64); the signature search stops at depth 512, so 500 levels.
    const abs = readC14n11Fixture(F.subsetAbsoluteBase);
    const depth = 500;
    const open = '<W xml:base="a/">'.repeat(depth);
    const deep = changed(abs, '<Records ', `${open}<Records `).replace(
      '</Records>',
      `</Records>${'</W>'.repeat(depth)}`,
    );
    let r!: Awaited<ReturnType<typeof check>>;
    const cpuMs = await cpuMsOfAsync(async () => {
      r = await check(deep, { ...subset, maxDepth: depth + 10, limits: { maxElements: depth + 100 } });
    });
    expect(cpuMs).toBeLessThan(10_000);
    expect(r.status).toBe('INDETERMINATE');
    expect(r.message).toContain('xml:base values');
  });

  it('answers in bounded time for a very long xml:base value', async () => {
    const abs = readC14n11Fixture(F.subsetAbsoluteBase);
    const long = changed(abs, '/archive/./terms/', `/archive/./${'x/../'.repeat(200_000)}terms/`);
    let r!: Awaited<ReturnType<typeof check>>;
    const cpuMs = await cpuMsOfAsync(async () => {
      r = await check(long, subset);
    });
    expect(cpuMs).toBeLessThan(10_000);
    expect(r.status).not.toBe('PASSED');
  });
});

describe('a transcript PDF whose XML carries a C14N 1.1 signature', () => {
  it('verifies TOTAL_PASSED (whole-document C14N 1.1 by the PDF signer)', async () => {
    for (const c14n of [C14N11, C14N11_COMMENTS]) {
      const xml = await xmlSigned(
        SAMPLE_XML.replace('<Transcript ', '<Transcript xml:lang="th" '),
        pki.signer,
        {
          c14n,
        },
      );
      expect(xml).toContain(`<CanonicalizationMethod Algorithm="${c14n}"/>`);
      const pdf = await issueGood(pki, { xml });
      const report = await verifyTranscript(pdf, { trust: [pki.root.cert] });
      expect(report.indication, JSON.stringify(report.checks?.find((c) => c.id === 'xml'))).toBe(
        'TOTAL_PASSED',
      );
    }
  });

  it('does not verify once the signed XML is changed', async () => {
    const xml = await xmlSigned(SAMPLE_XML, pki.signer, { c14n: C14N11 });
    const pdf = await issueGood(pki, { xml: xml.replace('3.75', '3.95') });
    const report = await verifyTranscript(pdf, { trust: [pki.root.cert] });
    expect(report.indication).toBe('TOTAL_FAILED');
  });
});
