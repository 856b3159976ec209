// Attack class: revocation data in a /DSS update that says nothing about the signer. PAdES B-LT means the
// document itself carries the validation data of the signature (ETSI EN 319 142-1): a later /DSS holding a CRL of
// another CA, a forged or stale answer, or one about another certificate must not lift a B-T signature to B-LT,
// however the signature's path passed (with evidence the caller supplied, or with no revocation required).
import { describe, expect, it } from 'vitest';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, type UpdateObject } from '../../src/pdf/writer.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { caUsage, crlOf, DAY, extraIdentity, ocspAbout } from '../helpers/attack.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const fx = await signedFixture('B-T');
const { pki } = fx;
const [caCrl, rootCrl] = pki.crls as [Uint8Array, Uint8Array];
const otherCa = await extraIdentity(pki, 'Another CA', 950, undefined, caUsage);

/** A later revision whose /DSS holds `crls` and `ocsps` (new objects), nothing else changed. */
function withDss(crls: Uint8Array[], ocsps: Uint8Array[] = []): Uint8Array {
  return appendUpdate(fx.pdf, ({ catalog, rootRef, next }) => {
    const objects = new Map<number, UpdateObject>();
    const refs = (list: Uint8Array[]) =>
      list.map((bytes) => {
        const n = next();
        objects.set(n, { stream: bytes, dict: dict({}) });
        return new PdfRef(n, 0);
      });
    const dss = dict({ CRLs: refs(crls), OCSPs: refs(ocsps) });
    objects.set(rootRef.num, { value: edited(catalog, { DSS: dss }) });
    return objects;
  });
}

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
