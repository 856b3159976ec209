// Attack class: revocation data in a /DSS update that says nothing about the signer. PAdES B-LT means the
// document itself carries the validation data of the signature (ETSI EN 319 142-1): a later /DSS holding a CRL of
// another CA, a forged or stale answer, or one about another certificate must not lift a B-T signature to B-LT,
// however the signature's path passed (with evidence the caller supplied, or with no revocation required).
import { describe, expect, it } from 'vitest';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, type UpdateObject } from '../../src/pdf/writer.js';
import { appendDocumentTimeStamp } from '../../src/sign/sign-pdf.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { caUsage, crlOf, DAY, extraIdentity, ocspAbout } from '../helpers/attack.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const fx = await signedFixture('B-T');
const { pki } = fx;
const [caCrl, rootCrl] = pki.crls as [Uint8Array, Uint8Array];
const otherCa = await extraIdentity(pki, 'Another CA', 950, undefined, caUsage);

/**
 * A later revision of `pdf` whose /DSS holds `crls` and `ocsps` (new objects), nothing else changed; with
 * `vriKey`, only in a /VRI entry of that name (as some writers fill the store).
 */
function addDss(pdf: Uint8Array, crls: Uint8Array[], ocsps: Uint8Array[] = [], vriKey?: string): Uint8Array {
  return appendUpdate(pdf, ({ catalog, rootRef, next }) => {
    const objects = new Map<number, UpdateObject>();
    const refs = (list: Uint8Array[]) =>
      list.map((bytes) => {
        const n = next();
        objects.set(n, { stream: bytes, dict: dict({}) });
        return new PdfRef(n, 0);
      });
    const data = { CRLs: refs(crls), OCSPs: refs(ocsps) };
    const dss = vriKey
      ? dict({ VRI: dict({ [vriKey]: dict({ CRL: data.CRLs, OCSP: data.OCSPs }) }) })
      : dict(data);
    objects.set(rootRef.num, { value: edited(catalog, { DSS: dss }) });
    return objects;
  });
}

/** The signed fixture with one later /DSS revision. */
const withDss = (crls: Uint8Array[], ocsps: Uint8Array[] = []) => addDss(fx.pdf, crls, ocsps);

/** Passed, a /DSS update only, and the level reached. */
function summary(r: VerificationReport): [string, string | undefined, string | undefined] {
  return [r.indication, r.signatures[0]?.modification, r.signatures[0]?.level];
}

describe('a later /DSS raises the level only with evidence about the signer', () => {
  it('a CRL of another CA: B-T stays B-T (the path passed on supplied CRLs)', async () => {
    const report = await fx.verify(withDss([await crlOf(pki, { issuer: otherCa })]));
    expect(summary(report)).toEqual(['TOTAL_PASSED', 'LTA_UPDATES', 'B-T']);
  });

  it("a CRL in the CA's name signed by another key, beside the root's genuine CRL: B-T", async () => {
    const forged = await crlOf(pki, { signer: otherCa });
    expect(summary(await fx.verify(withDss([forged, rootCrl])))).toEqual([
      'TOTAL_PASSED',
      'LTA_UPDATES',
      'B-T',
    ]);
  });

  it("an OCSP answer about another certificate, or a stale one about the signer's: B-T", async () => {
    const other = await ocspAbout(pki, pki.director.cert);
    const stale = await ocspAbout(pki, pki.officer.cert, {
      thisUpdate: new Date(pki.now.getTime() - 10 * DAY),
      nextUpdate: new Date(pki.now.getTime() - 9 * DAY),
    });
    for (const ocsp of [other, stale])
      expect(summary(await fx.verify(withDss([rootCrl], [ocsp])))).toEqual([
        'TOTAL_PASSED',
        'LTA_UPDATES',
        'B-T',
      ]);
  });

  it('no revocation checked at all (nothing supplied, not required) and an unrelated CRL: B-T', async () => {
    const bytes = withDss([await crlOf(pki, { issuer: otherCa })]);
    const report = await verifyPdfSignatures(bytes, { trustAnchors: [pki.root.cert] });
    expect(summary(report)).toEqual(['TOTAL_PASSED', 'LTA_UPDATES', 'B-T']);
  });

  it('control: the CA and root CRLs in /DSS make it B-LT, also when the caller supplies the same CRLs', async () => {
    const bytes = withDss([caCrl, rootCrl]);
    expect(summary(await fx.verify(bytes))).toEqual(['TOTAL_PASSED', 'LTA_UPDATES', 'B-LT']);
    const offline = await verifyPdfSignatures(bytes, { trustAnchors: [pki.root.cert] });
    expect(summary(offline)).toEqual(['TOTAL_PASSED', 'LTA_UPDATES', 'B-LT']);
    expect(offline.signatures[0]!.revocation.map((e) => e.source)).toEqual(['dss', 'dss']);
  });
});

// PAdES keeps validation data in the store's arrays and, per signature, in /VRI entries keyed by the SHA-1 of a
// signature; some writers fill only /VRI. The verifier reads both, so both count for the level.
describe('/DSS data in /VRI entries', () => {
  it('the same data only in a /VRI entry, under a key naming no signature here: B-LT (the data is read)', async () => {
    // EU DSS reads every /DSS piece whatever /VRI key it sits under: a wrong key costs no validation data.
    const report = await fx.verify(addDss(fx.pdf, [caCrl, rootCrl], [], 'A'.repeat(40)));
    expect(summary(report)).toEqual(['TOTAL_PASSED', 'LTA_UPDATES', 'B-LT']);
    expect(report.signatures[0]!.revocation.map((e) => e.source)).toEqual(['dss', 'dss']);
  });
});

// B-LTA: a document time-stamp over the validation data, so that it stays provable once the CRLs and OCSP answers
// expire. The time-stamp must cover the /DSS that holds the data that proved the path, not merely some /DSS.
describe('B-LTA needs the archive time-stamp to cover the validation data that proved the path', () => {
  it('an unrelated /DSS, a document time-stamp, then the real data after it: B-LT, not B-LTA', async () => {
    const unrelated = addDss(fx.pdf, [await crlOf(pki, { issuer: otherCa })]);
    const stamped = await appendDocumentTimeStamp(unrelated, pki.tsa);
    const report = await fx.verify(addDss(stamped, [caCrl, rootCrl]));
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.kind)).toEqual(['signature', 'document-timestamp']);
    expect(report.signatures[0]!.level).toBe('B-LT');
  });

  it('control: the real data, then a document time-stamp over it: B-LTA, also with a /DSS update after', async () => {
    const stamped = await appendDocumentTimeStamp(withDss([caCrl, rootCrl]), pki.tsa);
    expect((await fx.verify(stamped)).signatures[0]!.level).toBe('B-LTA');
    const renewed = addDss(stamped, [caCrl, rootCrl, await crlOf(pki, { issuer: otherCa })]);
    const report = await fx.verify(renewed);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]!.level).toBe('B-LTA');
  });
});

// ETSI EN 319 142-1 §6.3 and EN 319 102-1 (as EU DSS checks it): B-LT means the document carries the validation
// data of the signature *and of its time-stamps*. A /DSS proving the signer's path but saying nothing about the
// signature time-stamp's TSA certificate leaves the time-stamp unverifiable once the caller's evidence is gone.
describe("B-LT also needs the signature time-stamp's TSA chain in /DSS", () => {
  // The officer's OCSP answer and the root's CRL prove the signer's path (officer, CA); the TSA certificate,
  // issued by the same CA, is proven only by the CA's CRL or an answer about it.
  const signerOnly = () => withDss([rootCrl], [pki.officerOcsp]);

  it("a /DSS with the signer's data only: B-T, with a warning naming the TSA", async () => {
    const report = await fx.verify(signerOnly());
    expect(summary(report)).toEqual(['TOTAL_PASSED', 'LTA_UPDATES', 'B-T']);
    const warnings = report.signatures[0]!.checks.flatMap((c) => c.warnings).join(' ');
    expect(warnings).toMatch(/Not B-LT.*TSA certificate/);
  });

  it('the same, then a document time-stamp over it: B-T, not B-LTA', async () => {
    const stamped = await appendDocumentTimeStamp(signerOnly(), pki.tsa);
    const report = await fx.verify(stamped);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]!.level).toBe('B-T');
  });

  it('control: an OCSP answer about the TSA certificate added: B-LT, then B-LTA under a document time-stamp', async () => {
    const tsaOcsp = await ocspAbout(pki, pki.tsaCert);
    const lt = withDss([rootCrl], [pki.officerOcsp, tsaOcsp]);
    expect(summary(await fx.verify(lt))).toEqual(['TOTAL_PASSED', 'LTA_UPDATES', 'B-LT']);
    const stamped = await appendDocumentTimeStamp(lt, pki.tsa);
    expect((await fx.verify(stamped)).signatures[0]!.level).toBe('B-LTA');
  });

  it('a TSA answer added only after the archive time-stamp: B-LT, not B-LTA', async () => {
    const stamped = await appendDocumentTimeStamp(signerOnly(), pki.tsa);
    const report = await fx.verify(
      addDss(stamped, [rootCrl], [pki.officerOcsp, await ocspAbout(pki, pki.tsaCert)]),
    );
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]!.level).toBe('B-LT');
  });
});
